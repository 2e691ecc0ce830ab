# The image docker-compose.yml runs for web, worker and beat.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PARLEY_PRODUCTION=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY negotiations negotiations
COPY parties parties
COPY proposals proposals
RUN pip install --no-cache-dir .
COPY manage.py ./
COPY templates templates
COPY static static
RUN useradd --system --uid 1000 parley && mkdir -p /app/staticfiles && chown parley /app/staticfiles
USER parley
EXPOSE 8000
CMD ["gunicorn", "-c", "negotiations/gunicorn_conf.py", "negotiations.wsgi"]
