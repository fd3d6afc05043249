# The lab's stand-ins for AWS: moto (the AWS API) and Debian's docker-registry (the ECR registry).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG MOTO_SPEC
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry apache2-utils \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/moto \
 && /opt/moto/bin/pip install --no-cache-dir --quiet "${MOTO_SPEC}"
