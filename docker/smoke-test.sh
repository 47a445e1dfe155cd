#!/usr/bin/env bash
# Proves the Docker image end to end without a registry: builds the image with the README's own
# lines for a locally built static binary (the block marked `smoke-test: prebuilt-image`, run as
# written but for the tag; BIN_STAGE=prebuilt, so the Swift toolchain image is never pulled), runs
# it with --network host, sends mail with curl, reads it back over HTTP, POP3 and (when something
# answers on its port) IMAP, waits for `healthy`, and times `docker stop`. Then the Maildir store
# on /data as an arbitrary uid (group 0, as OpenShift runs images), on a volume that a second
# arbitrary uid of group 0 reopens, and on a bind mount chowned as the README says.
#
# Engine: the one DOCKER_HOST (or the default socket) reaches; otherwise, as root with dockerd
# installed, a private dockerd (vfs storage, no bridge, no iptables) in a temporary directory that
# is stopped and deleted afterwards. Base image for the assembly stage (debian:bookworm-slim): the
# engine's own, else one made with debootstrap from the mirror apt is configured with (cached in
# .build-docker/), else `docker pull`. Without an engine, a base image, swift or curl it prints
# SKIP and exits 0, so CI stays green on machines without Docker.
#
# Environment: LETTERBOX_SMOKE_PORTS="SMTP POP3 IMAP HTTP" (default "41025 41110 41143 48025"),
# LETTERBOX_DOCKER=path/to/docker (client to use), LETTERBOX_BINARY=path (use this static binary
# instead of building one: the README's two `swift build` lines are then replaced by a copy).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly image=letterbox:smoke
readonly container=letterbox-smoke-$$
readonly maildir_container=letterbox-smoke-maildir-$$
readonly bind_container=letterbox-smoke-bind-$$
readonly shared_volume=letterbox-smoke-shared-$$
readonly base_image=debian:bookworm-slim
readonly scratch=.build-docker
read -r smtp_port pop3_port imap_port http_port <<<"${LETTERBOX_SMOKE_PORTS:-41025 41110 41143 48025}"

passed=0
failed=0
skipped=0
work=$(mktemp -d "${TMPDIR:-/tmp}/letterbox-smoke.XXXXXX")
private_engine=""

say() { printf 'smoke-test: %s\n' "$*"; }
skip_all() {
  say "SKIP: $*"
  say "0 passed, 0 failed, 1 skipped"
  exit 0
}
pass() { passed=$((passed + 1)); say "PASS $*"; }
skip() { skipped=$((skipped + 1)); say "SKIP $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
rfc3339_ms() { local t; t=$(date -d "$1" +%s%N); echo $((t / 1000000)); }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cleanup() {
  local status=$?
  set +e
  if [ -n "${compose_started:-}" ]; then run_compose down >/dev/null 2>&1; fi
  if [ -n "${docker:-}" ]; then
    "$docker" rm -f "$container" "$maildir_container" "$bind_container" >/dev/null 2>&1
    "$docker" volume rm -f "$shared_volume" >/dev/null 2>&1
    "$docker" rmi -f "$image" >/dev/null 2>&1
  fi
  if [ -n "$private_engine" ]; then
    local pid
    pid=$(cat "$work/docker.pid" 2>/dev/null)
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    # Whatever the engine left mounted under our directory (netns, shm), deepest first.
    awk -v root="$work/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts | sort -r |
      while read -r mountpoint; do umount -l "$mountpoint"; done
  fi
  # The bind-mounted folder belongs to uid 1025 now; root removes it all the same.
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# --- Prerequisites -------------------------------------------------------------------------
command -v curl >/dev/null || skip_all "curl is not installed"
[ -n "${LETTERBOX_BINARY:-}" ] || command -v swift >/dev/null || skip_all "no Swift toolchain to build the binary with"

# The Debian docker.io client at /usr/bin/docker drives the daemon's built-in BuildKit; a client
# without buildx fails with DOCKER_BUILDKIT=1, so prefer that one.
docker=""
for candidate in "${LETTERBOX_DOCKER:-}" /usr/bin/docker "$(command -v docker || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then docker=$candidate; break; fi
done
[ -n "$docker" ] || skip_all "no docker client (apt-get install docker.io)"

if timeout 20 "$docker" info >/dev/null 2>&1; then
  say "engine: the one the docker client reaches ($("$docker" version --format '{{.Server.Version}}'))"
elif [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
  say "engine: starting a private dockerd in $work"
  dockerd --storage-driver=vfs --data-root "$work/data" --exec-root "$work/exec" \
    -H "unix://$work/docker.sock" --pidfile "$work/docker.pid" \
    --iptables=false --ip-masq=false --bridge=none >"$work/dockerd.log" 2>&1 &
  private_engine=yes
  export DOCKER_HOST="unix://$work/docker.sock"
  for _ in $(seq 1 300); do
    timeout 5 "$docker" info >/dev/null 2>&1 && break
    sleep 0.1
  done
  timeout 5 "$docker" info >/dev/null 2>&1 || {
    tail -20 "$work/dockerd.log"
    skip_all "dockerd did not start (log above)"
  }
else
  skip_all "no Docker engine reachable and none can be started here (needs root and dockerd)"
fi

# --- Base image for the assembly stage -----------------------------------------------------
debian_mirror() {
  # The mirror apt already uses: deb822 "URIs:" or one-line "deb URI SUITE ..." entries.
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '($1 == "URIs:" || $1 == "deb") && $2 !~ /security/ { print $2; exit }' || true
}

if ! "$docker" image inspect "$base_image" >/dev/null 2>&1; then
  # With libssl3, which TLS loads at run time: the official slim image lacks it, and the image
  # build would have to fetch it from the mirror.
  tarball=$scratch/base-bookworm-slim-libssl3.tar
  if [ ! -s "$tarball" ] && [ "$(id -u)" = 0 ] && command -v debootstrap >/dev/null; then
    mirror=$(debian_mirror)
    if [ -n "$mirror" ]; then
      say "base image: debootstrap --variant=minbase --include=libssl3 bookworm (about a minute, cached in $tarball)"
      rootfs=$work/rootfs
      if debootstrap --variant=minbase --include=libssl3 bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
        # Trimmed the way the official slim image is.
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
          "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
          "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
        mkdir -p "$scratch"
        tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
        rm -rf "$rootfs"
      else
        tail -5 "$work/debootstrap.log"
      fi
    fi
  fi
  if [ -s "$tarball" ]; then
    "$docker" import -c 'CMD ["bash"]' "$tarball" "$base_image" >/dev/null
  elif ! timeout 120 "$docker" pull -q "$base_image" >/dev/null 2>&1; then
    skip_all "no $base_image image: none in the engine, debootstrap unavailable, and the pull failed"
  fi
fi

# --- Binary and image: the README's lines ---------------------------------------------------
# The fenced block after the README's `smoke-test: prebuilt-image` marker, run as written, with
# `docker` meaning the client chosen above and the tag `letterbox:local` replaced by this test's.
readme_block=$(awk '/<!-- smoke-test: prebuilt-image/ { found = 1; next }
  found && !inside && /^ *```/ { inside = 1; next }
  inside && /^ *```/ { exit }
  inside { sub(/^ +/, ""); print }' README.md)
if [ "$(grep -c -- '-t letterbox:local ' <<<"$readme_block")" != 1 ] || ! grep -q '^swift build ' <<<"$readme_block"; then
  fail "the README's prebuilt-image block (marker, swift build, one '-t letterbox:local') not found: '$readme_block'"
  exit 1
fi
readme_block=${readme_block//-t letterbox:local /-t $image }
if [ -n "${LETTERBOX_BINARY:-}" ]; then
  # Only the image build is the README's then: the binary is given.
  readme_block=$(grep -v -e '^swift build ' -e '^mkdir -p .build-docker/image ' <<<"$readme_block")
  mkdir -p "$scratch/image"
  # cp refuses to copy a file onto itself (LETTERBOX_BINARY=.build-docker/image/letterbox).
  [ "$LETTERBOX_BINARY" -ef "$scratch/image/letterbox" ] || cp "$LETTERBOX_BINARY" "$scratch/image/letterbox"
  say "binary: $LETTERBOX_BINARY"
fi
mkdir -p "$work/bin"
ln -s "$docker" "$work/bin/docker"
say "running the README's lines:"
sed 's/^/    /' <<<"$readme_block"
build_start=$(now_ms)
if PATH="$work/bin:$PATH" bash -euo pipefail -c "$readme_block" >"$work/docker-build.log" 2>&1; then
  pass "image builds with the README's prebuilt lines ($(($(now_ms) - build_start)) ms, binary included)"
else
  tail -30 "$work/docker-build.log"
  fail "the README's prebuilt lines (log above)"
  exit 1
fi
binary=$PWD/$scratch/image/letterbox

image_bytes=$("$docker" image inspect -f '{{.Size}}' "$image")
binary_bytes=$(stat -c %s "$binary")
say "image size: $image_bytes bytes ($((image_bytes / 1000000)) MB; the binary alone is $((binary_bytes / 1000000)) MB)"

config=$("$docker" image inspect -f \
  'user={{.Config.User}} env={{.Config.Env}} ports={{.Config.ExposedPorts}} volumes={{.Config.Volumes}} health={{.Config.Healthcheck.Test}}' \
  "$image")
# No VOLUME: no anonymous volume per container (the README documents -v for the Maildir store).
expectations=("user=1025:1025" "LETTERBOX_HOST=0.0.0.0" "1025/tcp" "1110/tcp" "1143/tcp" "8025/tcp"
  "volumes=map[]" "letterbox healthcheck")
missing=""
for expected in "${expectations[@]}"; do [[ $config == *"$expected"* ]] || missing+=" '$expected'"; done
if [ -z "$missing" ]; then pass "image config: $config"; else fail "image config lacks$missing: $config"; fi

# --- Run -----------------------------------------------------------------------------------
for port in "$smtp_port" "$pop3_port" "$imap_port" "$http_port"; do
  if answers "$port"; then fail "port $port is already in use (set LETTERBOX_SMOKE_PORTS)"; exit 1; fi
done

run_start=$(now_ms)
"$docker" run -d --name "$container" --network host \
  -e LETTERBOX_HOST=127.0.0.1 -e LETTERBOX_SMTP_PORT="$smtp_port" -e LETTERBOX_POP3_PORT="$pop3_port" \
  -e LETTERBOX_IMAP_PORT="$imap_port" -e LETTERBOX_HTTP_PORT="$http_port" "$image" >/dev/null || {
  fail "docker run"
  exit 1
}
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "http://127.0.0.1:$http_port/healthz" 2>/dev/null && break
  sleep 0.05
done
if curl -fsS -o /dev/null "http://127.0.0.1:$http_port/healthz"; then
  pass "serving /healthz $(($(now_ms) - run_start)) ms after docker run (includes container creation)"
else
  fail "nothing answered on http port $http_port within 30 s"
fi

uid=$(ps -o uid= -p "$("$docker" inspect -f '{{.State.Pid}}' "$container")" | tr -d ' ' || true)
if [ "$uid" = 1025 ]; then pass "runs as uid 1025, not root"; else fail "runs as uid '$uid'"; fi

# --- Mail in over SMTP, out over HTTP, POP3 and IMAP ----------------------------------------
subject="Smoke test $$-$RANDOM"
printf 'From: app@example.com\r\nTo: ana@example.com\r\nSubject: %s\r\n\r\nHello from the smoke test.\r\n' \
  "$subject" >"$work/message.eml"
if curl -sS --url "smtp://127.0.0.1:$smtp_port" --mail-from app@example.com \
  --mail-rcpt ana@example.com --upload-file "$work/message.eml"; then
  pass "curl sent a message over SMTP"
else
  fail "curl could not send over SMTP"
fi

if curl -fsS "http://127.0.0.1:$http_port/messages/wait?to=ana@example.com&timeout=10" |
  grep -qx "Subject: $subject"; then
  pass "HTTP /messages/wait returned it"
else
  fail "HTTP /messages/wait did not return '$subject'"
fi

if curl -fsS "pop3://ana%40example.com:secret@127.0.0.1:$pop3_port/1" | tr -d '\r' |
  grep -qx "Subject: $subject"; then
  pass "POP3 RETR 1 returned it"
else
  fail "POP3 did not return '$subject'"
fi

if answers "$imap_port"; then
  if curl -fsS "imap://ana%40example.com:secret@127.0.0.1:$imap_port/INBOX/;MAILINDEX=1" | tr -d '\r' |
    grep -qx "Subject: $subject"; then
    pass "IMAP FETCH 1 returned it"
  else
    fail "IMAP did not return '$subject'"
  fi
else
  skip "IMAP: nothing answers on port $imap_port (no IMAP server in this build)"
fi

# --- Charsets: glibc's converters in the image (ICU is not in the binary) -------------------
# Encoded words (RFC 2047) in eight legacy charsets and a windows-1251 body; /messages lists the
# decoded subject and /messages/{id} the decoded body.
charset_subject="=?iso-2022-jp?B?GyRCJDMkcyRLJEEkT0AkMyYbKEI=?= / =?koi8-r?B?8NLJ18XU?= / =?gb2312?B?1tDOxNPKvP4=?= / =?big5?B?wWPF6aSkpOU=?= / =?euc-kr?B?x9Gxub7u?= / =?windows-1255?B?+ezl7Q==?= / =?iso-8859-7?B?xevr5+3p6tw=?= / =?shift_jis?B?k/qWe4zqh0A=?="
charset_expected="こんにちは世界 / Привет / 中文邮件 / 繁體中文 / 한국어 / שלום / Ελληνικά / 日本語①"
printf 'From: app@example.com\r\nTo: charsets@example.com\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xCF\xF0\xE8\xE2\xE5\xF2\r\n' \
  "$charset_subject" >"$work/charsets.eml"
curl -sS --url "smtp://127.0.0.1:$smtp_port" --mail-from app@example.com \
  --mail-rcpt charsets@example.com --upload-file "$work/charsets.eml" || true
charset_line=$(curl -fsS "http://127.0.0.1:$http_port/messages/wait?to=charsets@example.com&timeout=10" >/dev/null &&
  curl -fsS "http://127.0.0.1:$http_port/messages?to=charsets@example.com" | head -1)
charset_id=${charset_line%%$'\t'*}
if [[ $charset_line == *$'\t'"$charset_expected" ]] &&
  curl -fsS "http://127.0.0.1:$http_port/messages/$charset_id" | tr -d '\r' | grep -qx 'Привет'; then
  pass "charsets decoded in the image: $charset_expected; body (windows-1251) Привет"
else
  fail "charsets: expected subject '$charset_expected' and body Привет, got '${charset_line##*$'\t'}'"
fi

# --- Health --------------------------------------------------------------------------------
status=""
for _ in $(seq 1 300); do
  status=$("$docker" inspect -f '{{.State.Health.Status}}' "$container")
  [ "$status" = healthy ] || [ "$status" = unhealthy ] && break
  sleep 0.1
done
if [ "$status" = healthy ]; then
  started=$(rfc3339_ms "$("$docker" inspect -f '{{.State.StartedAt}}' "$container")")
  probe_start=$(rfc3339_ms "$("$docker" inspect -f '{{json (index .State.Health.Log 0).Start}}' "$container" | tr -d '"')")
  probe_end=$(rfc3339_ms "$("$docker" inspect -f '{{json (index .State.Health.Log 0).End}}' "$container" | tr -d '"')")
  pass "healthy: first probe $((probe_start - started)) ms after start (the interval), answered in $((probe_end - probe_start)) ms; healthy $((probe_end - started)) ms after start"
else
  fail "health status '$status' after 30 s: $("$docker" inspect -f '{{json .State.Health}}' "$container")"
fi

# --- Graceful stop -------------------------------------------------------------------------
# An idle SMTP session is open while the container stops: it should be told 421, and the process
# (PID 1 in the container) should exit 0 well within docker stop's 10 s grace period.
greeting=""
if exec 4<>"/dev/tcp/127.0.0.1/$smtp_port"; then
  IFS= read -r -t 5 greeting <&4 || greeting=""
  printf 'EHLO smoke.example\r\n' >&4
  while IFS= read -r -t 5 line <&4; do [[ $line == 250\ * ]] && break; done
fi

stop_start=$(now_ms)
"$docker" stop "$container" >/dev/null
stop_ms=$(($(now_ms) - stop_start))
farewell=""
while IFS= read -r -t 2 line <&4; do farewell=${line%$'\r'}; [[ $line == 421* ]] && break; done
exec 4<&-

exit_code=$("$docker" inspect -f '{{.State.ExitCode}}' "$container")
if [ "$stop_ms" -lt 2000 ] && [ "$exit_code" = 0 ]; then
  pass "docker stop took $stop_ms ms, exit code 0"
else
  fail "docker stop took $stop_ms ms (limit 2000), exit code $exit_code"
fi
if [[ $greeting == 220* ]] && [[ $farewell == 421* ]]; then
  pass "idle SMTP session was told: $farewell"
else
  fail "idle SMTP session: greeting '${greeting%$'\r'}', last line before close '$farewell' (expected 421)"
fi

say "container output (stdout and stderr):"
"$docker" logs "$container" 2>&1 | sed 's/^/    /'

# --- The Maildir store on /data: any uid in group 0, and a bind mount ----------------------
# Starts a container in the background with the given docker run options, waits for /healthz.
start_serving() {
  local name=$1
  shift
  "$docker" run -d --name "$name" --network host \
    -e LETTERBOX_HOST=127.0.0.1 -e LETTERBOX_SMTP_PORT="$smtp_port" -e LETTERBOX_POP3_PORT=off \
    -e LETTERBOX_IMAP_PORT=off -e LETTERBOX_HTTP_PORT="$http_port" -e LETTERBOX_STORAGE=maildir \
    "$@" "$image" >/dev/null || return 1
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$http_port/healthz" 2>/dev/null && return 0
    "$docker" inspect -f '{{.State.Running}}' "$name" 2>/dev/null | grep -q true || return 1
    sleep 0.05
  done
  return 1
}

# Sends one message to `to` and reads it back over HTTP.
round_trip() {
  local to=$1 subject="Maildir $1 $$"
  printf 'From: app@example.com\r\nTo: %s\r\nSubject: %s\r\n\r\nKept on disk.\r\n' "$to" "$subject" >"$work/maildir.eml"
  curl -sS --url "smtp://127.0.0.1:$smtp_port" --mail-from app@example.com --mail-rcpt "$to" \
    --upload-file "$work/maildir.eml" &&
    curl -fsS "http://127.0.0.1:$http_port/messages/wait?to=$to&timeout=10" | grep -qx "Subject: $subject"
}

# OpenShift and hardened Kubernetes: an arbitrary uid, group 0, the image's own /data.
if start_serving "$maildir_container" --user 12345 && round_trip anyuid@example.com; then
  uid=$(ps -o uid= -p "$("$docker" inspect -f '{{.State.Pid}}' "$maildir_container")" | tr -d ' ' || true)
  pass "--user 12345 (group 0) keeps mail in the Maildir on the image's /data (uid $uid)"
else
  fail "--user 12345 with LETTERBOX_STORAGE=maildir on /data"
  "$docker" logs "$maildir_container" 2>&1 | tail -5 | sed 's/^/    /'
fi
"$docker" rm -f "$maildir_container" >/dev/null 2>&1 || true

# The next pod of an OpenShift deployment runs as another arbitrary uid in group 0 on the same
# volume: the Maildir one uid made (0770 folders, 0660 files: the group bits of /data) must serve
# the next. A named volume starts as a copy of the image's /data (uid 1025, group 0, 0775).
if start_serving "$maildir_container" --user 12345 -v "$shared_volume:/data" && round_trip first-uid@example.com &&
  "$docker" rm -f "$maildir_container" >/dev/null 2>&1 &&
  start_serving "$maildir_container" --user 23456 -v "$shared_volume:/data" &&
  curl -fsS "http://127.0.0.1:$http_port/messages/wait?to=first-uid@example.com&timeout=10" |
  grep -qx "Subject: Maildir first-uid@example.com $$" && round_trip second-uid@example.com; then
  pass "a volume's Maildir made by --user 12345 serves --user 23456 (both group 0): old mail read, new mail kept"
else
  fail "a volume's Maildir made by --user 12345 and reopened by --user 23456 (both group 0)"
  "$docker" logs "$maildir_container" 2>&1 | tail -5 | sed 's/^/    /'
fi
"$docker" rm -f "$maildir_container" >/dev/null 2>&1 || true

# A bind mount, owned by uid 1025 as the README's chown line makes it.
mkdir -p "$work/mail"
chown 1025 "$work/mail" 2>/dev/null || true
if [ "$(stat -c %u "$work/mail")" != 1025 ]; then
  skip "bind mount: cannot chown a folder to uid 1025 here (not root)"
elif start_serving "$bind_container" -v "$work/mail:/data" && round_trip bind@example.com &&
  [ -n "$(ls "$work/mail/maildir/new" 2>/dev/null)" ]; then
  pass "bind-mounted /data owned by uid 1025: the message is in $work/mail/maildir/new on the host"
else
  fail "bind-mounted /data owned by uid 1025"
  "$docker" logs "$bind_container" 2>&1 | tail -5 | sed 's/^/    /'
fi
"$docker" rm -f "$bind_container" >/dev/null 2>&1 || true

# --- Compose: the example end to end, with this image --------------------------------------
# docker/compose.yaml as the README runs it without the toolchain image: the letterbox image
# exists, so compose builds only the example's (curl from Debian's mirror: a network). Two changes,
# made on the way in: this test's image tag, and no published ports (the fixed host ports may be
# taken; the services talk over the project's network). Run from docker/, where its relative build
# contexts hold. The compose plugin (`docker compose`), else docker-compose 1.29 (Debian's). Each
# call has 300 s: the example's curl has no timeout, and a network that drops packets must not
# hang the test.
compose=()
if "$docker" compose version >/dev/null 2>&1; then
  compose=("$docker" compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
fi
compose_project=letterbox-smoke-$$
run_compose() {
  sed -e '/^    ports:/d' -e "s/image: letterbox:local/image: $image/" docker/compose.yaml |
    (cd docker && PATH="$work/bin:$PATH" timeout 300 "${compose[@]}" -p "$compose_project" -f - "$@")
}
# The private engine runs without iptables: containers on a compose network reach each other only
# if the host does not filter bridged traffic (another engine's FORWARD policy DROP, with
# br_netfilter loaded, drops it, and the app would wait for letterbox forever).
bridged_traffic_dropped() {
  [ -n "$private_engine" ] && [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ] &&
    iptables -S FORWARD 2>/dev/null | grep -qx -- '-P FORWARD DROP'
}
if [ ${#compose[@]} = 0 ]; then
  skip "compose: neither the docker compose plugin nor docker-compose is installed"
elif bridged_traffic_dropped; then
  skip "compose: the private engine has no iptables rules, and this host drops bridged traffic (FORWARD policy DROP, bridge-nf-call-iptables=1: another engine's firewall)"
elif ! run_compose build app >"$work/compose-build.log" 2>&1; then
  tail -5 "$work/compose-build.log" | sed 's/^/    /'
  skip "compose: the example image (curl from Debian's mirror) did not build: no network? (log above)"
else
  compose_started=yes
  compose_start=$(now_ms)
  if run_compose run --rm test >"$work/compose-run.log" 2>&1 && grep -q '^test: PASS' "$work/compose-run.log"; then
    pass "${compose[*]} run --rm test: letterbox healthy, app sent, test found the mail ($(($(now_ms) - compose_start)) ms)"
  else
    tail -20 "$work/compose-run.log" | sed 's/^/    /'
    fail "${compose[*]} run --rm test (log above)"
  fi
  run_compose down >/dev/null 2>&1 || true
  compose_started=""
fi

say "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
