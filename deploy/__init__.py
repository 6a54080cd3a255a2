"""Deployment: docker-compose's configuration files, the Kubernetes manifests (k8s/), and the production
rehearsal (rehearsal.py), which runs docker-compose.yml's services as processes on one machine."""
