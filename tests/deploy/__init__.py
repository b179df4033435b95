"""Deployment: Dockerfile, docker-compose files, Prometheus and Grafana configuration, docs."""
