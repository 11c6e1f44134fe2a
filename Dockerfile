FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app

COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
# collectstatic needs settings that load; the real secrets come from the environment at run time.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost EMAIL_HOST=localhost python manage.py collectstatic --noinput \
    && useradd --system --home /app traffpunkt
USER traffpunkt

EXPOSE 8000
# gunicorn takes its number of worker processes from WEB_CONCURRENCY; 3 suit 2 cores.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
