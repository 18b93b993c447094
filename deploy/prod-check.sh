#!/usr/bin/env bash
# make prod-check: jiceng as deploy/ describes it, proven on this machine's loopback.
#
# The environment comes from deploy/jiceng.env.example and the site from
# deploy/nginx/jiceng.conf, with only places and ports changed: gunicorn with DEBUG=false
# behind Debian's nginx, TLS with a throw-away certificate. deploy/prod_check.py then checks
# the pages, static files, /healthz, the security headers and a protected photo (404 to
# anonymous users, 200 to staff in scope), and that wrong passwords from one address (127.0.0.2)
# lock nobody out from another (127.0.0.3). Everything started here is stopped on exit.
#
# DATABASE_URL may name an empty PostgreSQL database (CI does); otherwise SQLite is used.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

command -v nginx >/dev/null || { echo "nginx is missing: apt-get install nginx"; exit 1; }
command -v openssl >/dev/null || { echo "openssl is missing: apt-get install openssl"; exit 1; }
[ -x .venv/bin/gunicorn ] || { echo "gunicorn is missing: make install"; exit 1; }

WORK=$(mktemp -d /tmp/jiceng-prod-check.XXXXXX)
free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
APP_PORT=$(free_port); HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port)

GUNICORN_PID=
WORKER_PID=
cleanup() {
  status=$?
  [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
  [ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && nginx -c "$WORK/nginx.conf" -p "$WORK" -s quit 2>/dev/null || true
  if [ $status -ne 0 ]; then
    echo "--- nginx errors"; tail -n 20 "$WORK/nginx-error.log" 2>/dev/null || true
    echo "--- gunicorn and jiceng"; tail -n 40 "$WORK/gunicorn.log" 2>/dev/null || true
    echo "--- the worker"; tail -n 20 "$WORK/worker.log" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT INT TERM

# --- the environment: the shipped file, with this machine's places -------------------------
CALLER_DATABASE_URL="${DATABASE_URL:-}"
set -a
# shellcheck disable=SC1091
. deploy/jiceng.env.example
set +a
export JICENG_VAR_DIR="$WORK/var"
export SECRET_KEY="prod-check-$(openssl rand -hex 32)"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export SITE_URL="https://127.0.0.1:$HTTPS_PORT"
export CSRF_TRUSTED_ORIGINS="$SITE_URL"
export DATABASE_URL="${CALLER_DATABASE_URL:-sqlite:///$WORK/var/jiceng.sqlite3}"
export METRICS_TOKEN="prod-check-metrics-$(openssl rand -hex 8)"
mkdir -p "$JICENG_VAR_DIR"

echo "== prepare (database: ${DATABASE_URL%%:*})"
.venv/bin/jiceng migrate -v0
.venv/bin/jiceng collectstatic --noinput -v0
# A small county, a staff account and a ticket with a photo, through the services.
.venv/bin/jiceng shell -v0 -c "
from jiceng import factories
from jiceng.tickets import services
world = factories.small_world()
staff = factories.account('checker', ['dispatcher'], scope_region=world['changji_city'])
staff.set_password('prod-check-password'); staff.save()
outsider = factories.account('outsider', ['dispatcher'], scope_region=world['jianguo'])
outsider.set_password('prod-check-password'); outsider.save()
ticket = factories.ticket(world['jiashun'])
services.attach_photos(staff, ticket, [factories.photo('现场.jpg', size=(640, 480))])
photo = ticket.photos.get()
open('$WORK/photo', 'w').write(f'{photo.pk} {photo.image.name}')
"

# --- TLS with a throw-away certificate ------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" 2>/dev/null

# --- nginx: the shipped site, on loopback ports ---------------------------------------------
sed -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|listen 443 ssl|listen 127.0.0.1:$HTTPS_PORT ssl|" \
    -e "s|server_name jiceng.example.gov.cn;|server_name 127.0.0.1;|" \
    -e "s|/etc/ssl/jiceng/|$WORK/|g" \
    -e "s|/srv/jiceng/var/|$JICENG_VAR_DIR/|g" \
    -e "s|127.0.0.1:8000|127.0.0.1:$APP_PORT|" \
    -e "s|/var/log/nginx/jiceng-access.log|$WORK/nginx-access.log|" \
    deploy/nginx/jiceng.conf > "$WORK/site.conf"
cat > "$WORK/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx-body;
    proxy_temp_path $WORK/nginx-proxy;
    fastcgi_temp_path $WORK/nginx-fastcgi;
    uwsgi_temp_path $WORK/nginx-uwsgi;
    scgi_temp_path $WORK/nginx-scgi;
    include $WORK/site.conf;
}
EOF
nginx -t -q -c "$WORK/nginx.conf" -p "$WORK"
nginx -c "$WORK/nginx.conf" -p "$WORK"

# --- gunicorn, as deploy/systemd/jiceng.service starts it -----------------------------------
.venv/bin/gunicorn jiceng.wsgi --workers 2 --bind "127.0.0.1:$APP_PORT" \
  --forwarded-allow-ips 127.0.0.1 \
  > "$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
# --- the background worker, as deploy/systemd/jiceng-worker.service starts it ---------------
.venv/bin/jiceng worker --interval 0.5 --no-startup-delay > "$WORK/worker.log" 2>&1 &
WORKER_PID=$!
for _ in $(seq 1 100); do
  .venv/bin/python -c "import socket; socket.create_connection(('127.0.0.1', $APP_PORT), 0.2)" 2>/dev/null && break
  sleep 0.2
done

echo "== check https://127.0.0.1:$HTTPS_PORT"
read -r PHOTO_ID PHOTO_NAME < "$WORK/photo" || true  # (no newline at its end)
.venv/bin/python deploy/prod_check.py "https://127.0.0.1:$HTTPS_PORT" "http://127.0.0.1:$HTTP_PORT" \
  "$PHOTO_ID" "$PHOTO_NAME" "$METRICS_TOKEN"
# the rating-link secrets and phone numbers never reach an access log
# (gunicorn.log holds jiceng's JSON request lines: LOG_FORMAT=json)
grep -q '"logger": "jiceng.request"' "$WORK/gunicorn.log" || { echo "FAIL  no JSON request log"; exit 1; }
echo "ok    one JSON line per request in jiceng's log"
# a phone number stands alone: the random hex name of a photo may hold eleven digits in a row
if grep -E "/r/[A-Za-z0-9_-]{8,}|(^|[^0-9A-Za-z])1[3-9][0-9]{9}([^0-9A-Za-z]|$)|TRACKME23|prod-check-password" \
    "$WORK/nginx-access.log" "$WORK/gunicorn.log"; then
  echo "FAIL  a phone number, a tracking code or a secret in a log"; exit 1
fi
echo "ok    no phone number, tracking code or secret in nginx's or jiceng's logs"
