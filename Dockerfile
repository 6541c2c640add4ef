FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 FLASK_APP=consult
# gcc and libc6-dev build gunicorn's C HTTP parser (gunicorn[fast]) where no wheel fits the platform.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core curl gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 consult
WORKDIR /app
COPY pyproject.toml README.md ./
COPY consult ./consult
COPY migrations ./migrations
COPY gunicorn.conf.py ./
RUN pip install -e . && mkdir -p /app/instance && chown consult /app/instance
USER consult
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "consult:create_app()"]
