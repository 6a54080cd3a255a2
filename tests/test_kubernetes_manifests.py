"""deploy/k8s/: every manifest valid against Kubernetes' own schemas (kubernetes-validate ships them: no
network), and saying what production needs: probes, an autoscaled web, one beat, the migrate Job, PDBs."""

from pathlib import Path

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
VERSION = "1.30.0"


def _documents() -> dict[tuple[str, str], dict]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    documents = {}
    for name in kustomization["resources"]:
        for document in yaml.safe_load_all((K8S / name).read_text()):
            documents[(document["kind"], document["metadata"]["name"])] = document
    return documents


def _env_file() -> dict[str, str]:
    lines = (ROOT / "deploy" / "sbcard.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_every_manifest_is_valid_for_kubernetes():
    for document in _documents().values():
        kubernetes_validate.validate(document, VERSION, strict=True)  # raises on any error


def test_the_manifests_run_production_as_docker_compose_does():
    documents = _documents()
    containers = {
        name: document["spec"]["template"]["spec"]["containers"][0]
        for (kind, name), document in documents.items()
        if kind in ("Deployment", "Job")
    }
    # the same settings as deploy/sbcard.env; secrets only by reference
    settings = documents[("ConfigMap", "sbcard-settings")]["data"]
    assert {key: settings[key] for key in _env_file()} == _env_file()
    for container in containers.values():
        assert {"secretRef": {"name": "sbcard-secrets"}} in container["envFrom"]
    # web: probes on /healthz, a Service, an autoscaler and a disruption budget
    assert containers["web"]["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert containers["web"]["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert documents[("HorizontalPodAutoscaler", "web")]["spec"]["scaleTargetRef"]["name"] == "web"
    assert ("Service", "web") in documents and ("Ingress", "sbcard") in documents
    assert ("PodDisruptionBudget", "web") in documents and ("PodDisruptionBudget", "worker") in documents
    # the worker answers a ping; beat runs alone and is replaced, never doubled, on a rollout
    assert "inspect ping" in " ".join(containers["worker"]["livenessProbe"]["exec"]["command"])
    beat = documents[("Deployment", "beat")]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    assert containers["beat"]["livenessProbe"]["exec"]["command"] == ["python", "-m", "sbcard.beat", "--healthy"]
    # migrations in their Job, nowhere else
    assert "migrate" in " ".join(containers["migrate"]["command"])
    assert all("migrate" not in " ".join(c["command"]) for name, c in containers.items() if name != "migrate")
