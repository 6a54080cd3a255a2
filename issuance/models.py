"""Cards after production: issued, activated, lost, replaced (built with the service window)."""
