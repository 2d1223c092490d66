# csm-graphql: the API server. Build with `docker build -t csm-graphql .`; see docs/deploy.md.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Install the package (not editable): the migrations ship inside it, so the image can migrate
# its own database with `csm-graphql db upgrade` or `serve --migrate`. The versions are the
# tested ones (constraints.txt); the redis extra lets workers share rate-limit buckets.
COPY pyproject.toml README.md LICENSE constraints.txt /tmp/build/
COPY src /tmp/build/src
COPY migrations /tmp/build/migrations
RUN pip install -c /tmp/build/constraints.txt "/tmp/build[redis]" && rm -rf /tmp/build

RUN useradd --create-home --uid 10001 csm
USER csm
WORKDIR /home/csm

# A safe default: production refuses to start without CSM_SECRET_KEY and CSM_DATABASE_URL.
ENV CSM_ENV=production

EXPOSE 8000

# Liveness only (the process answers); /readyz also checks the database and its migrations.
# The slim image has no curl, so Python asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["csm-graphql", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--migrate"]
