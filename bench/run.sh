#!/usr/bin/env bash
# bench/run.sh — the side-by-side mTLS benchmark of issue 10 (docs/performance.md).
#
# Builds Release, generates a fresh ECDSA P-256 PKI and every peer's configuration into a temporary directory,
# starts the proxies under test pinned to CPU 0 and the backend + load generator on CPU 1, runs each scenario
# against every target one after the other (so the ratios of one scenario come from the same run), and writes
# bench/results/<UTC>.md (tables, ratios, targets) and bench/results/<UTC>.json (every raw result).
# Everything listens on 127.0.0.1 only; every process started here is stopped on exit.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/run.sh [--quick] [--rounds N] [--duration S] [--warmup S] [--long-warmup] [--scenarios "LIST"]
                    [--targets "LIST"] [--clients "LIST"] [--nice N] [--connections N] [--idle-connections N]
                    [--no-build] [--keep] [--base-port P] [--concurrent] [--before DIR] [--before-env "K=V ..."]
  --quick              smoke test: 1 round, 3 s per run, 2 s warm-up, 1000 idle connections (results marked smoke)
  --rounds N           run every scenario's targets N times, interleaved (order rotated each round); the report
                       gives medians and the median of the within-round ratios [3]
  --duration S         measured seconds per run [10]
  --warmup S           seconds of the same load before a target's first run of a scenario [10] (later runs: 2);
                       .NET targets also get DOTNET_TC_CallCountingDelayMs=0 so hot paths reach tier 1 during it
  --long-warmup        60 s warm-up per run and no DOTNET_TC_CallCountingDelayMs (the slow, env-free method)
                       every .NET process gets DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 either way: the gateway
                       sets it on itself, so plain YARP and the load generator get it too
  --scenarios          from: keepalive h2 handshake s_time passthrough idle   [all of them]
                       and relay-conn: new TLS connections per second relayed by SNI through each gateway
                       target alone (side by side with --concurrent; passthrough already measures them against HAProxy)
  --targets            from: gateway gateway-quiet gateway-lean gateway-online gateway-otlp gateway-trace1
                       gateway-trace100 yarp yarp-headers kestrel rawfwd yarp-inline rawfwd-inline nginx haproxy
                       [gateway gateway-quiet gateway-lean yarp yarp-headers nginx haproxy]
                       gateway-lean: issue 27's setup (Serilog at Warning, Revocation None, one Strict policy);
                       gateway-online: gateway-lean with Revocation Online (the leaf's CRL from a loopback CDP);
                       gateway-otlp: gateway-lean exporting metrics over OTLP/HTTP to a discarding loopback sink;
                       gateway-trace1 / -trace100: the same plus traces sampled at 1 % / 100 %;
                       kestrel: Kestrel answering itself (plain-yarp --answer true), no forwarding leg
                       rawfwd: the same listener forwarding through pooled plain sockets, no YARP, no HttpClient
                       (plain-yarp --raw-forward true; a measuring device for GETs, not a proxy)
                       yarp-inline / rawfwd-inline: yarp / rawfwd with Kestrel's UnsafePreferInlineScheduling
                       gateway-before: gateway-lean run from the build given with --before (a before/after pair)
                       gateway-partners10: gateway-lean with its policy's acme partner among ten (nine with their own roots)
                       gateway-ratelimit: gateway-lean with a rate limit on its route (PartitionBy Certificate) that never triggers
                       gateway-boundtoken: gateway-lean with BoundToken on its policy, every request carrying a valid token
                       bound to the client certificate (the cache warm); mtls-loadgen sends no headers, so with this
                       target the headerload client (bench/HeaderLoad, Go net/http, keep-alive only) joins, on every target
                       gateway-noregistry: gateway-lean with the partner registry off (Gateway:Diagnostics:MaxPartners 0)
                       gateway-bearer: gateway-lean (BoundToken off) sent the same bearer token as gateway-boundtoken, so
                       boundtoken ÷ bearer is what the check costs (headerload joins with it too)
                       (passthrough always compares gateway, haproxy-tcp and a direct connection)
  --clients            from: mtls-load mtls-loadgen headerload [mtls-load mtls-loadgen; headerload joins with
                       gateway-boundtoken]; every scenario a client can run runs with each
                       (mtls-loadgen: ../shared/tools/mtls-loadgen, Go crypto/tls, built into bench/.work/; skipped
                       with a message when `go` is missing). openssl s_time runs in the s_time scenario either way.
  --before DIR         a second gateway build (a copy of src/MtlsGateway/bin/Release/net10.0 made before a change)
                       for the gateway-before target
  --before-env "K=V …" environment variables for the gateway-before process only (without --before it runs the
                       current build): a runtime setting against the same build, e.g.
                       --targets "gateway-lean gateway-before" --before-env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=46 (hex: .NET's 70)
  --nice N             run the proxies, the backend and the clients at this nice value [0]; -20 (as root) on a
                       machine other work shares
  --concurrent         keepalive and handshake: all targets under load at once (each its own client, one client kind at
                       a time, the same measured window; they share the proxies' core): ratios between targets that
                       a noisy machine cannot blur. Absolute figures are then per share of the core, not comparable with
                       peers run alone. Each proxy gets its own cpu cgroup of equal weight where the machine lets
                       this script make one (cgroup v2 cpu.weight or v1 cpu.shares, as root), so the core is split
                       evenly between them instead of by thread count (the report says which split was used).
  --connections N      keep-alive connections [32]
  --idle-connections N connections held open by the idle scenario [2000]
  --no-build           use the existing Release build
  --keep               keep the temporary directory (configs, logs) and print its path
EOF
}

ORIGINAL_ARGS="$*"
ORIGINAL_ARGV=("$@")
ROUNDS=3
DURATION=10
WARMUP=10
REWARM=2
LONG_WARMUP=0
QUICK=0
BUILD=1
KEEP=0
SCENARIOS="keepalive h2 handshake s_time passthrough idle"
TARGETS="gateway gateway-quiet gateway-lean yarp yarp-headers nginx haproxy"
CLIENTS="mtls-load mtls-loadgen"
NICE=0
BEFORE_DIR=
BEFORE_ENV=
CONNECTIONS=32
CONCURRENT=0
H2_CONNECTIONS=8
H2_STREAMS=16
HANDSHAKE_CONNECTIONS=16
THROUGHPUT_CONNECTIONS=4
IDLE_CONNECTIONS=2000
IDLE_HOLD=5
STIME_CLIENTS=4
BASE_PORT=18400

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1; ROUNDS=1; DURATION=3; WARMUP=2; IDLE_CONNECTIONS=1000; IDLE_HOLD=2 ;;
        --rounds) ROUNDS="$2"; shift ;;
        --duration) DURATION="$2"; shift ;;
        --warmup) WARMUP="$2"; shift ;;
        --long-warmup) LONG_WARMUP=1; WARMUP=60; REWARM=10 ;;
        --scenarios) SCENARIOS="$2"; shift ;;
        --targets) TARGETS="$2"; shift ;;
        --clients) CLIENTS="$2"; shift ;;
        --nice) NICE="$2"; shift ;;
        --before) BEFORE_DIR="$2"; shift ;;
        --before-env) BEFORE_ENV="$2"; shift ;;
        --connections) CONNECTIONS="$2"; shift ;;
        --idle-connections) IDLE_CONNECTIONS="$2"; shift ;;
        --concurrent) CONCURRENT=1 ;;
        --no-build) BUILD=0 ;;
        --keep) KEEP=1 ;;
        --base-port) BASE_PORT="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# --nice: with the kernel's autogroup scheduling (sched_autogroup_enabled=1), a nice value only ranks processes
# within their session; against another session's build it changes nothing. So the run starts its own session
# (setsid: a new autogroup) and gives that group the nice value as well, then every process it starts inherits both.
if [[ $NICE != 0 && -z ${MTLS_BENCH_SESSION:-} ]]; then
    exec env MTLS_BENCH_SESSION=1 setsid --wait "${BASH_SOURCE[0]}" "${ORIGINAL_ARGV[@]}"
fi
if [[ $NICE != 0 && -w /proc/self/autogroup ]]; then
    echo "$NICE" >/proc/self/autogroup 2>/dev/null || echo "could not set the session's autogroup nice to $NICE" >&2
    echo "scheduling: $(cat /proc/self/autogroup); processes at nice $NICE"
fi

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS_DIR="$REPO/bench/results"
WORK="$(mktemp -d /tmp/mtls-bench.XXXXXX)"
JSONL="$WORK/results.jsonl"
STARTED_PIDS=()

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${STARTED_PIDS[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    declare -F remove_cgroups >/dev/null && remove_cgroups
    if [[ $KEEP -eq 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in nginx haproxy openssl curl jq taskset timeout dotnet; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
if [[ "$(nproc --all)" -lt 2 ]]; then echo "needs 2 CPUs (proxy on CPU 0, load on CPU 1)" >&2; exit 2; fi

machine() {
    echo "machine: $(nproc --all) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
machine
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# Ports: the proxies under test, the backend (plain HTTP and TLS), the gateways' admin listeners.
P_NGINX=$((BASE_PORT + 43)); P_HAPROXY=$((BASE_PORT + 44)); P_HAPROXY_TCP=$((BASE_PORT + 45))
P_YARP=$((BASE_PORT + 46)); P_GATEWAY=$((BASE_PORT + 47)); P_GATEWAY_QUIET=$((BASE_PORT + 48)); P_YARP_HEADERS=$((BASE_PORT + 49))
P_LEAN=$((BASE_PORT + 50)); P_ONLINE=$((BASE_PORT + 51)); P_OTLP_GW=$((BASE_PORT + 52)); P_TRACE1=$((BASE_PORT + 53))
P_TRACE100=$((BASE_PORT + 54)); P_KESTREL=$((BASE_PORT + 55)); P_BEFORE=$((BASE_PORT + 56)); P_PARTNERS10=$((BASE_PORT + 57))
P_RATELIMIT=$((BASE_PORT + 58)); P_BOUNDTOKEN=$((BASE_PORT + 59)); P_NOREGISTRY=$((BASE_PORT + 60)); P_BEARER=$((BASE_PORT + 61))
P_RAWFWD=$((BASE_PORT + 62)); P_YARP_INLINE=$((BASE_PORT + 63)); P_RAWFWD_INLINE=$((BASE_PORT + 64))
P_BACKEND=$((BASE_PORT + 80)); P_BACKEND_TLS=$((BASE_PORT + 81)); P_CDP=$((BASE_PORT + 82)); P_OTLP=$((BASE_PORT + 83))
P_ADMIN=$((BASE_PORT + 90)); P_ADMIN_QUIET=$((BASE_PORT + 91))
for port in $P_NGINX $P_HAPROXY $P_HAPROXY_TCP $P_YARP $P_YARP_HEADERS $P_GATEWAY $P_GATEWAY_QUIET $P_LEAN $P_ONLINE $P_OTLP_GW \
    $P_TRACE1 $P_TRACE100 $P_KESTREL $P_BACKEND $P_BACKEND_TLS $P_CDP $P_OTLP $P_ADMIN $P_ADMIN_QUIET $((BASE_PORT + 92)) \
    $((BASE_PORT + 93)) $((BASE_PORT + 94)) $((BASE_PORT + 95)) $((BASE_PORT + 96)) $P_BEFORE $((BASE_PORT + 97)) $P_PARTNERS10 $((BASE_PORT + 98)) \
    $P_RATELIMIT $P_BOUNDTOKEN $P_NOREGISTRY $P_BEARER $P_RAWFWD $P_YARP_INLINE $P_RAWFWD_INLINE $((BASE_PORT + 99)) $((BASE_PORT + 100)) $((BASE_PORT + 101)) $((BASE_PORT + 102)); do
    if ss -Hltn "sport = :$port" | grep -q .; then echo "port $port is in use; pass --base-port" >&2; exit 2; fi
done

# ---- build -------------------------------------------------------------------------------------------------
GATEWAY_DLL="$REPO/src/MtlsGateway/bin/Release/net10.0/mtls-gateway.dll"
YARP_DLL="$REPO/bench/PlainYarp/bin/Release/net10.0/plain-yarp.dll"
LOAD_DLL="$REPO/bench/MtlsLoad/bin/Release/net10.0/mtls-load.dll"
if [[ $BUILD -eq 1 ]]; then
    for project in src/MtlsGateway bench/PlainYarp bench/MtlsLoad; do
        echo "building $project (Release)"
        (cd "$REPO" && timeout 600 dotnet build "$project" -c Release -nologo -v quiet) >"$WORK/build.log" 2>&1 \
            || { tail -30 "$WORK/build.log"; echo "build failed: $project" >&2; exit 1; }
    done
fi
# The independent client (Go crypto/tls), built from the shared read-only sources into bench/.work/.
LOADGEN_SRC="$REPO/../../shared/tools/mtls-loadgen"
[[ -d $LOADGEN_SRC ]] || LOADGEN_SRC=/work/shared/tools/mtls-loadgen
LOADGEN="$REPO/bench/.work/mtls-loadgen"
HEADERLOAD="$REPO/bench/.work/headerload"
if [[ " $CLIENTS " == *" mtls-loadgen "* ]]; then
    if ! command -v go >/dev/null; then
        echo "mtls-loadgen skipped: go is not installed (apt-get install golang-go); running with: ${CLIENTS//mtls-loadgen/}"
        CLIENTS=${CLIENTS//mtls-loadgen/}
    elif [[ ! -f $LOADGEN_SRC/main.go ]]; then
        echo "mtls-loadgen skipped: its sources are not at $LOADGEN_SRC"
        CLIENTS=${CLIENTS//mtls-loadgen/}
    else
        mkdir -p "$REPO/bench/.work"
        echo "building mtls-loadgen ($(go version | cut -d' ' -f3)) from $LOADGEN_SRC"
        (cd "$LOADGEN_SRC" && GOCACHE="$REPO/bench/.work/go-cache" timeout 300 go build -o "$LOADGEN" .) >"$WORK/go-build.log" 2>&1 \
            || { tail -20 "$WORK/go-build.log"; echo "build failed: mtls-loadgen" >&2; exit 1; }
    fi
fi
# --before-env alone: gateway-before is the current build with that environment.
if [[ -z $BEFORE_DIR && -n $BEFORE_ENV ]]; then BEFORE_DIR=$(dirname "$GATEWAY_DLL"); fi
if [[ " $TARGETS " == *" gateway-before "* && ! -f $BEFORE_DIR/mtls-gateway.dll ]]; then
    echo "gateway-before needs --before DIR with mtls-gateway.dll (a copy of src/MtlsGateway/bin/Release/net10.0)" >&2; exit 2
fi
want_client() { [[ " $CLIENTS " == *" $1 "* ]]; }
# gateway-boundtoken's second client (mtls-loadgen cannot send its token): bench/HeaderLoad, on every target of
# the keep-alive scenario so that its ratios pair like the others'.
if [[ ( " $TARGETS " == *" gateway-boundtoken "* || " $TARGETS " == *" gateway-bearer "* ) && " $CLIENTS " != *" headerload "* ]] && command -v go >/dev/null; then CLIENTS+=" headerload"; fi
if [[ " $CLIENTS " == *" headerload "* ]]; then
    mkdir -p "$REPO/bench/.work"
    (cd "$REPO/bench/HeaderLoad" && GOCACHE="$REPO/bench/.work/go-cache" timeout 300 go build -o "$HEADERLOAD" .) >"$WORK/go-build.log" 2>&1 \
        || { tail -20 "$WORK/go-build.log"; echo "build failed: bench/HeaderLoad" >&2; exit 1; }
fi

# ---- PKI and configurations --------------------------------------------------------------------------------
mkdir -p "$WORK/logs" "$WORK/www" "$WORK/nginx-temp"
PKI="$WORK/pki"
timeout 60 dotnet "$GATEWAY_DLL" dev-certs --out "$PKI" >/dev/null
cat "$PKI/partners-root.crt" "$PKI/partners-intermediate.crt" >"$PKI/ca.pem"
cat "$PKI/partners.crl" "$PKI/partners-root.crl" >"$PKI/crl.pem"
cat "$PKI/server.crt" "$PKI/server.key" >"$PKI/server.pem"
# gateway-partners10's nine other partners: each its own root CA (never the clients' issuer), as separate partner PKIs are.
for i in 1 2 3 4 5 6 7 8 9; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/O=Bench Partner $i/CN=Partner $i Root CA" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout "$PKI/partner$i-root.key" -out "$PKI/partner$i-root.crt" 2>/dev/null
done
# Every client presents the same certificate: dev-certs' acme-orders-client (same subject and names, same issuing
# CA, sent with it) re-issued with a CRL Distribution Point on the loopback, so gateway-online fetches its CRL as it
# would a partner's. Revocation None/Offline targets ignore the extension.
openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/client-cdp.key" 2>/dev/null
openssl req -new -key "$PKI/client-cdp.key" -subj "$(openssl x509 -in "$PKI/client.crt" -noout -subject -nameopt compat | sed 's/^subject=//')" \
    -out "$WORK/client-cdp.csr"
cat >"$WORK/client-cdp.ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:orders.acme.test, URI:spiffe://acme.test/orders/client
crlDistributionPoints = URI:http://127.0.0.1:$P_CDP/partners.crl
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
EXT
openssl x509 -req -in "$WORK/client-cdp.csr" -CA "$PKI/partners-intermediate.crt" -CAkey "$PKI/partners-intermediate.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 -extfile "$WORK/client-cdp.ext" -out "$WORK/client-cdp-leaf.crt" 2>/dev/null
cat "$WORK/client-cdp-leaf.crt" "$PKI/partners-intermediate.crt" >"$PKI/client-cdp.crt"
CLIENT_CRT="$PKI/client-cdp.crt"; CLIENT_KEY="$PKI/client-cdp.key"
mkdir -p "$WORK/cdp"
openssl crl -in "$PKI/partners.crl" -outform DER -out "$WORK/cdp/partners.crl"
head -c 1048576 /dev/urandom >"$WORK/www/big.bin"
# gateway-boundtoken: a JWKS for its policy and an access token bound to the client certificate, sent with every request.
timeout 60 dotnet "$LOAD_DLL" token --cert "$CLIENT_CRT" --jwks "$PKI/bench-jwks.json" --token-out "$WORK/bench-token.txt"
printf 'Authorization: Bearer %s\n' "$(cat "$WORK/bench-token.txt")" >"$WORK/boundtoken.headers"

nginx_common() { # $1 = name
    cat <<EOF
user root;
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $WORK/$1.pid;
error_log $WORK/logs/$1-error.log warn;
events { worker_connections 16384; }
EOF
}
nginx_http_common() {
    cat <<EOF
    default_type application/octet-stream;
    client_body_temp_path $WORK/nginx-temp/body;
    proxy_temp_path $WORK/nginx-temp/proxy;
    fastcgi_temp_path $WORK/nginx-temp/fastcgi;
    uwsgi_temp_path $WORK/nginx-temp/uwsgi;
    scgi_temp_path $WORK/nginx-temp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
EOF
}

# The one backend for every target: nginx `return 200` (plain HTTP) and the TLS destination of passthrough.
{
    nginx_common backend
    echo "http {"
    nginx_http_common
    cat <<EOF
    access_log off;
    server {
        listen 127.0.0.1:$P_BACKEND backlog=4096;
        location / { return 200 "ok\n"; }
    }
    # gateway-online's distribution point: the issuing CA's CRL (DER), with Last-Modified/ETag as any web server.
    server {
        listen 127.0.0.1:$P_CDP;
        root $WORK/cdp;
        location / { default_type application/pkix-crl; }
    }
    # The OTLP/HTTP sink of gateway-otlp and -trace*: accepts every export and discards it (an empty protobuf
    # message is a valid Export*ServiceResponse).
    server {
        listen 127.0.0.1:$P_OTLP;
        client_max_body_size 64m;
        location / { default_type application/x-protobuf; return 200 ""; }
    }
    server {
        listen 127.0.0.1:$P_BACKEND_TLS ssl backlog=4096;
        ssl_certificate $PKI/server.crt;
        ssl_certificate_key $PKI/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:BACKEND:10m;
        root $WORK/www;
        location = /big { try_files /big.bin =404; }
        location / { return 200 "ok\n"; }
    }
}
EOF
} >"$WORK/backend.conf"

# nginx terminating mTLS, access log on (one line per request, as Debian ships it).
{
    nginx_common nginx
    echo "http {"
    nginx_http_common
    cat <<EOF
    access_log $WORK/logs/nginx-access.log;
    upstream backend { server 127.0.0.1:$P_BACKEND; keepalive 64; keepalive_requests 1000000; }
    server {
        listen 127.0.0.1:$P_NGINX ssl http2 backlog=4096;
        ssl_certificate $PKI/server.crt;
        ssl_certificate_key $PKI/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_client_certificate $PKI/ca.pem;
        ssl_verify_client on;
        ssl_verify_depth 2;
        ssl_crl $PKI/crl.pem;
        ssl_session_cache shared:MTLS:10m;
        ssl_session_tickets on;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Client-Subject \$ssl_client_s_dn;
        }
    }
}
EOF
} >"$WORK/nginx.conf"

haproxy_global() {
    cat <<EOF
global
    nbthread 1
    maxconn 9000
    ssl-default-bind-options ssl-min-ver TLSv1.2
    tune.ssl.cachesize 20000
EOF
}
# HAProxy terminating mTLS (no log target: HAProxy logs only to syslog, and none is configured).
{
    haproxy_global
    cat <<EOF
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-keep-alive 300s
frontend mtls
    bind 127.0.0.1:$P_HAPROXY ssl crt $PKI/server.pem ca-file $PKI/ca.pem crl-file $PKI/crl.pem verify required alpn h2,http/1.1 backlog 4096
    http-request set-header X-Client-Subject %{+Q}[ssl_c_s_dn]
    default_backend backend
backend backend
    http-reuse always
    server b 127.0.0.1:$P_BACKEND
EOF
} >"$WORK/haproxy.cfg"
# HAProxy relaying TLS by SNI without terminating it.
{
    haproxy_global
    cat <<EOF
defaults
    mode tcp
    timeout connect 5s
    timeout client 300s
    timeout server 300s
frontend sni
    bind 127.0.0.1:$P_HAPROXY_TCP backlog 4096
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend legacy if { req.ssl_sni -i legacy.partner.test }
backend legacy
    server l 127.0.0.1:$P_BACKEND_TLS
EOF
} >"$WORK/haproxy-tcp.cfg"

# The gateway: the shipped acme-orders policy (Strict, allowlist) on one catch-all route, identity headers on
# (defaults: XFCC + the parts), Offline CRLs, and the shipped Serilog levels and async sink with the console sink
# removed: CLEF to a file only, so console I/O does not dominate. The file rolls at 1 GiB as shipped (before
# 2026-12-06 it did not: past 1 GiB, in the h2 scenario of a full run, the sink silently stopped writing).
# `gateway` keeps the per-request RequestCompleted line (as shipped); `gateway-quiet` turns it off
# (Gateway:Logging:Requests=false) to isolate policy + headers against plain YARP.
# gateway-lean and its variants (issue 27's setup): Serilog at Warning, Revocation None; -online: Revocation Online
# (the root's CRL from CrlFiles, the leaf's from its CDP), -otlp / -trace*: OpenTelemetry to the loopback sink.
gateway_config() { # $1 = name, $2 = port, $3 = admin port, $4 = request log true|false, [$5 = Revocation, $6 = level, $7 = Telemetry JSON, $8 = partners 1|10, $9 = ratelimit|boundtoken, $10 = MaxPartners]
    local revocation=${5:-Offline} level=${6:-Information} telemetry=${7:-} partners=${8:-1} feature=${9:-} max_partners=${10:-1000}
    local crls='[ "pki/partners.crl", "pki/partners-root.crl" ]' overrides='"Microsoft": "Warning", "Yarp": "Warning", "Microsoft.Hosting.Lifetime": "Information"'
    [[ $revocation == Online ]] && crls='[ "pki/partners-root.crl" ]'
    [[ $revocation == None ]] && crls='[ ]'
    [[ $level == Warning ]] && overrides=''
    # (built here: inside the here-document, ${var:+word} would drop word's quotes)
    local telemetry_entry=""
    [[ -n $telemetry ]] && telemetry_entry=",
    \"Telemetry\": $telemetry"
    # -partners10: the acme-orders policy with ten partners, acme's store and allowlist plus nine others (own roots).
    local allow='"Allow": { "CommonNames": [ "acme-orders-client" ], "DnsNames": [ "*.acme.test" ], "Uris": [ "spiffe://acme.test/orders/*" ] }'
    local policy_body="\"TrustStore\": \"partners\", $allow" extra_stores=""
    if [[ $partners == 10 ]]; then
        policy_body="\"Partners\": { \"acme\": { \"TrustStore\": \"partners\", $allow }"
        for i in 1 2 3 4 5 6 7 8 9; do
            extra_stores+=", \"partner$i\": { \"CaFiles\": [ \"pki/partner$i-root.crt\" ], \"Revocation\": \"None\" }"
            policy_body+=", \"partner$i\": { \"TrustStore\": \"partner$i\", \"Allow\": { \"CommonNames\": [ \"partner$i-client\" ] } }"
        done
        policy_body+=" }"
    fi
    # -ratelimit: a limit far above any rate reached here, per certificate, on the route; -boundtoken: BoundToken on the policy.
    local rate_limits="" route_limit=""
    if [[ $feature == ratelimit ]]; then
        rate_limits='"RateLimits": { "bench": { "PermitsPerSecond": 1000000, "Burst": 1000000, "PartitionBy": "Certificate" } },'
        route_limit='"RateLimiterPolicy": "bench", '
    fi
    [[ $feature == boundtoken ]] && policy_body+=', "BoundToken": { "Issuer": "https://idp.bench.test", "Audience": "bench-api", "SigningKeysFile": "pki/bench-jwks.json" }'
    cat <<EOF
{
  "Gateway": {
    "Listeners": { "bench": { "Url": "https://127.0.0.1:$2" } },
    "Admin": { "Url": "http://127.0.0.1:$3" },
    "ServerCertificates": [
      { "Hosts": [ "localhost", "*.partner.test" ], "CertificateFile": "pki/server.crt", "KeyFile": "pki/server.key", "Default": true }
    ],
    "TrustStores": {
      "partners": {
        "CaFiles": [ "pki/partners-root.crt", "pki/partners-intermediate.crt" ],
        "CrlFiles": $crls,
        "Revocation": "$revocation"
      }$extra_stores
    },
    "Policies": {
      "acme-orders": {
        "Mode": "Strict",
        $policy_body
      }
    },
    "DefaultPolicy": "acme-orders",
    $rate_limits
    "Passthrough": { "legacy": { "Hosts": [ "legacy.partner.test" ], "Destinations": [ "127.0.0.1:$P_BACKEND_TLS" ] } },
    "Logging": { "Requests": $4 },
    "Diagnostics": { "MaxPartners": $max_partners }$telemetry_entry
  },
  "ReverseProxy": {
    "Routes": {
      "bench": { "ClusterId": "backend", "AuthorizationPolicy": "acme-orders", $route_limit"Match": { "Hosts": [ "localhost" ], "Path": "/{**rest}" } }
    },
    "Clusters": { "backend": { "Destinations": { "b": { "Address": "http://127.0.0.1:$P_BACKEND/" } } } }
  },
  "Serilog": {
    "Using": [ "Serilog.Sinks.Async", "Serilog.Sinks.File", "Serilog.Formatting.Compact" ],
    "MinimumLevel": {
      "Default": "$level",
      "Override": { $overrides }
    },
    "WriteTo": [
      { "Name": "Async", "Args": { "blockWhenFull": true, "configure": [
        { "Name": "File", "Args": { "path": "$WORK/logs/$1-.clef", "rollingInterval": "Day", "rollOnFileSizeLimit": true, "retainedFileCountLimit": 3,
          "buffered": true, "flushToDiskInterval": "00:00:01",
          "formatter": "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact",
          "hooks": "MtlsGateway.Diagnostics.LogFileBuffer, mtls-gateway" } }
      ] } }
    ]
  }
}
EOF
}
gateway_config gateway "$P_GATEWAY" "$P_ADMIN" true >"$WORK/gateway.json"
gateway_config gateway-quiet "$P_GATEWAY_QUIET" "$P_ADMIN_QUIET" false >"$WORK/gateway-quiet.json"
gateway_config gateway-lean "$P_LEAN" $((BASE_PORT + 92)) true None Warning >"$WORK/gateway-lean.json"
gateway_config gateway-before "$P_BEFORE" $((BASE_PORT + 97)) true None Warning >"$WORK/gateway-before.json"
gateway_config gateway-online "$P_ONLINE" $((BASE_PORT + 93)) true Online Warning >"$WORK/gateway-online.json"
gateway_config gateway-partners10 "$P_PARTNERS10" $((BASE_PORT + 98)) true None Warning "" 10 >"$WORK/gateway-partners10.json"
gateway_config gateway-ratelimit "$P_RATELIMIT" $((BASE_PORT + 99)) true None Warning "" 1 ratelimit >"$WORK/gateway-ratelimit.json"
gateway_config gateway-boundtoken "$P_BOUNDTOKEN" $((BASE_PORT + 100)) true None Warning "" 1 boundtoken >"$WORK/gateway-boundtoken.json"
# -noregistry: the partner registry (the status page's Partners, one record per connection) off, to show its cost.
gateway_config gateway-noregistry "$P_NOREGISTRY" $((BASE_PORT + 101)) true None Warning "" 1 "" 0 >"$WORK/gateway-noregistry.json"
# -bearer: gateway-lean (BoundToken off) receiving the same bearer token as gateway-boundtoken: the pair that isolates
# the check from the cost of parsing and forwarding a 0.7 KB header.
gateway_config gateway-bearer "$P_BEARER" $((BASE_PORT + 102)) true None Warning >"$WORK/gateway-bearer.json"
OTLP="\"OtlpEndpoint\": \"http://127.0.0.1:$P_OTLP\", \"OtlpProtocol\": \"HttpProtobuf\""
gateway_config gateway-otlp "$P_OTLP_GW" $((BASE_PORT + 94)) true None Warning "{ $OTLP }" >"$WORK/gateway-otlp.json"
gateway_config gateway-trace1 "$P_TRACE1" $((BASE_PORT + 95)) true None Warning "{ $OTLP, \"Traces\": true, \"TraceSampleRatio\": 0.01 }" >"$WORK/gateway-trace1.json"
gateway_config gateway-trace100 "$P_TRACE100" $((BASE_PORT + 96)) true None Warning "{ $OTLP, \"Traces\": true, \"TraceSampleRatio\": 1.0 }" >"$WORK/gateway-trace100.json"

# ---- processes ---------------------------------------------------------------------------------------------
# The gateway turns inline socket completions on by itself (docs/configuration.md); the floor gets the same.
DOTNET_ENV=(DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1)
if [[ $LONG_WARMUP -eq 0 ]]; then DOTNET_ENV+=(DOTNET_TC_CallCountingDelayMs=0); fi
declare -A PID_OF PORT_OF
PORT_OF=([gateway]=$P_GATEWAY [gateway-quiet]=$P_GATEWAY_QUIET [yarp]=$P_YARP [yarp-headers]=$P_YARP_HEADERS [nginx]=$P_NGINX [haproxy]=$P_HAPROXY
         [haproxy-tcp]=$P_HAPROXY_TCP [direct]=$P_BACKEND_TLS [gateway-lean]=$P_LEAN [gateway-online]=$P_ONLINE [gateway-otlp]=$P_OTLP_GW
         [gateway-trace1]=$P_TRACE1 [gateway-trace100]=$P_TRACE100 [kestrel]=$P_KESTREL [gateway-before]=$P_BEFORE [gateway-partners10]=$P_PARTNERS10
         [gateway-ratelimit]=$P_RATELIMIT [gateway-boundtoken]=$P_BOUNDTOKEN [gateway-noregistry]=$P_NOREGISTRY [gateway-bearer]=$P_BEARER [rawfwd]=$P_RAWFWD [yarp-inline]=$P_YARP_INLINE [rawfwd-inline]=$P_RAWFWD_INLINE)
# Targets whose requests must carry headers (a file of "Name: value" lines, for mtls-load and curl alike).
declare -A HEADERS_OF=([gateway-boundtoken]="$WORK/boundtoken.headers" [gateway-bearer]="$WORK/boundtoken.headers")
# --nice: every process of the measurement (proxies, backend, clients) runs at this nice value.
NICE_CMD=(nice -n "$NICE")

# --concurrent: a cpu cgroup per proxy, all of equal weight. Without them the scheduler splits the shared core by
# runnable threads, so one proxy of a pair got up to 1.7× the other's CPU, and per-CPU-second efficiency rises with
# the share (bench/concurrent-fit.py corrects for it, at the price of wide errors).
CGROUP_PARENT=
CGROUP_WEIGHT_FILE=
if [[ $CONCURRENT -eq 1 ]]; then
    for parent in /sys/fs/cgroup/unified /sys/fs/cgroup/cpu /sys/fs/cgroup; do
        if [[ -f $parent/cgroup.controllers ]] && grep -qw cpu "$parent/cgroup.controllers" \
            && grep -qw cpu "$parent/cgroup.subtree_control" 2>/dev/null; then CGROUP_WEIGHT_FILE=cpu.weight
        elif [[ -f $parent/cpu.shares ]]; then CGROUP_WEIGHT_FILE=cpu.shares
        else continue; fi
        if mkdir "$parent/mtls-bench-$STAMP-$$" 2>/dev/null; then
            # cgroup v2: the proxies' groups below it have a cpu.weight only once it hands them the cpu controller
            if [[ $CGROUP_WEIGHT_FILE == cpu.shares ]] || echo +cpu >"$parent/mtls-bench-$STAMP-$$/cgroup.subtree_control" 2>/dev/null; then
                CGROUP_PARENT=$parent/mtls-bench-$STAMP-$$; break
            fi
            rmdir "$parent/mtls-bench-$STAMP-$$"
        fi
        CGROUP_WEIGHT_FILE=
    done
    if [[ -n $CGROUP_PARENT ]]; then echo "concurrent: each proxy in its own cpu cgroup ($CGROUP_WEIGHT_FILE equal) under $CGROUP_PARENT"
    else echo "concurrent: no writable cpu cgroup; the proxies share the core as the scheduler splits it (see concurrent-fit.py)"; fi
fi
CPU_SPLIT=${CGROUP_PARENT:+equal cgroup weights}
CPU_SPLIT=${CPU_SPLIT:-scheduler}
remove_cgroups() {
    [[ -n $CGROUP_PARENT && -d $CGROUP_PARENT ]] || return 0
    local group
    for group in "$CGROUP_PARENT"/*/; do [[ -d $group ]] && rmdir "$group" 2>/dev/null; done
    rmdir "$CGROUP_PARENT" 2>/dev/null || echo "could not remove $CGROUP_PARENT" >&2
}
# The cgroup a process named $1 runs in (none: the proxies' cgroups exist only for --concurrent, and only on CPU 0).
cgroup_for() {
    [[ -n $CGROUP_PARENT && $2 == 0 ]] || return 0
    local group=$CGROUP_PARENT/$1
    if [[ ! -d $group ]]; then
        mkdir "$group"
        if [[ $CGROUP_WEIGHT_FILE == cpu.weight ]]; then echo 100 >"$group/cpu.weight"; else echo 1024 >"$group/cpu.shares"; fi
    fi
    echo "$group"
}

start() { # $1 = name, $2 = CPU, then the command
    local name=$1 cpu=$2 group; shift 2
    group=$(cgroup_for "$name" "$cpu")
    # the subshell joins the cgroup before it becomes the process (its threads and children follow)
    (cd "$WORK" && { [[ -z $group ]] || echo "$BASHPID" >"$group/cgroup.procs"; } \
        && exec env "${DOTNET_ENV[@]}" "${NICE_CMD[@]}" taskset -c "$cpu" "$@") >"$WORK/logs/$name.out" 2>&1 &
    PID_OF[$name]=$!
    STARTED_PIDS+=("$!")
}
# The processes whose CPU time and RSS count for a target: nginx's master and its workers.
pids_of() {
    local pid=${PID_OF[$1]:-}
    [[ -z $pid ]] && return 0
    local children
    children=$(pgrep -P "$pid" | paste -sd, -)
    echo "$pid${children:+,$children}"
}

CURL_TLS=(--silent --max-time 5 --cacert "$PKI/partners-root.crt" --cert "$CLIENT_CRT" --key "$CLIENT_KEY")
# $1 = port, $2 = SNI/host, [$3 = headers file]: prints the HTTP status (000 when the connection failed).
probe() {
    curl "${CURL_TLS[@]}" ${3:+-H @"$3"} --resolve "$2:$1:127.0.0.1" -o /dev/null -w '%{http_code}' "https://$2:$1/" || true
}
wait_ready() { # $1 = name, $2 = port, $3 = host
    local i
    for i in $(seq 1 60); do
        [[ "$(probe "$2" "$3" "${HEADERS_OF[$1]:-}")" == 200 ]] && return 0
        if ! kill -0 "${PID_OF[$1]}" 2>/dev/null; then break; fi
        sleep 0.5
    done
    echo "$1 did not answer 200 on port $2; its output:" >&2
    tail -20 "$WORK/logs/$1.out" >&2
    return 1
}

start backend 1 nginx -p "$WORK" -e "$WORK/logs/backend-error.log" -c "$WORK/backend.conf"
want() { [[ " $TARGETS " == *" $1 "* ]]; }
# Starts one target on CPU 0 (again, for the idle scenario's second client: a process keeps the memory its first
# idle connections took).
start_target() { # $1 = name
    case $1 in
        nginx) start nginx 0 nginx -p "$WORK" -e "$WORK/logs/nginx-error.log" -c "$WORK/nginx.conf" ;;
        haproxy) start haproxy 0 haproxy -db -f "$WORK/haproxy.cfg" ;;
        haproxy-tcp) start haproxy-tcp 0 haproxy -db -f "$WORK/haproxy-tcp.cfg" ;;
        yarp) start yarp 0 dotnet "$YARP_DLL" --port "$P_YARP" --cert "$PKI/server.crt" --key "$PKI/server.key" \
            --ca "$PKI/ca.pem" --backend "http://127.0.0.1:$P_BACKEND/" ;;
        yarp-headers) start yarp-headers 0 dotnet "$YARP_DLL" --port "$P_YARP_HEADERS" --cert "$PKI/server.crt" \
            --key "$PKI/server.key" --ca "$PKI/ca.pem" --backend "http://127.0.0.1:$P_BACKEND/" --identity-headers true ;;
        kestrel) start kestrel 0 dotnet "$YARP_DLL" --port "$P_KESTREL" --cert "$PKI/server.crt" --key "$PKI/server.key" \
            --ca "$PKI/ca.pem" --backend "http://127.0.0.1:$P_BACKEND/" --answer true ;;
        rawfwd) start rawfwd 0 dotnet "$YARP_DLL" --port "$P_RAWFWD" --cert "$PKI/server.crt" --key "$PKI/server.key" \
            --ca "$PKI/ca.pem" --backend "http://127.0.0.1:$P_BACKEND/" --raw-forward true ;;
        yarp-inline) start yarp-inline 0 dotnet "$YARP_DLL" --port "$P_YARP_INLINE" --cert "$PKI/server.crt" --key "$PKI/server.key" \
            --ca "$PKI/ca.pem" --backend "http://127.0.0.1:$P_BACKEND/" --inline-scheduling true ;;
        rawfwd-inline) start rawfwd-inline 0 dotnet "$YARP_DLL" --port "$P_RAWFWD_INLINE" --cert "$PKI/server.crt" \
            --key "$PKI/server.key" --ca "$PKI/ca.pem" --backend "http://127.0.0.1:$P_BACKEND/" --raw-forward true --inline-scheduling true ;;
        # shellcheck disable=SC2086 # $BEFORE_ENV is a list of K=V words
        gateway-before) start gateway-before 0 env $BEFORE_ENV dotnet "$BEFORE_DIR/mtls-gateway.dll" run --config "$WORK/gateway-before.json" ;;
        gateway*) start "$1" 0 dotnet "$GATEWAY_DLL" run --config "$WORK/$1.json" ;;
        *) echo "unknown target $1" >&2; exit 2 ;;
    esac
}
restart_target() { # $1 = name: stop it (it was started here), start it, wait until it answers
    local pid=${PID_OF[$1]}
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    start_target "$1"
    wait_ready "$1" "${PORT_OF[$1]}" localhost
}
for name in $TARGETS; do start_target "$name"; done
[[ " $SCENARIOS " == *" passthrough "* ]] && start_target haproxy-tcp

sleep 1
for name in $TARGETS; do wait_ready "$name" "${PORT_OF[$name]}" localhost; done
# Each terminating peer must refuse a client without a certificate (a sanity check of the configurations).
for name in $TARGETS; do
    status=$(curl --silent --max-time 5 --cacert "$PKI/partners-root.crt" --resolve "localhost:${PORT_OF[$name]}:127.0.0.1" \
        -o /dev/null -w '%{http_code}' "https://localhost:${PORT_OF[$name]}/" || true)
    if [[ $status == 200 ]]; then echo "$name admitted a client without a certificate" >&2; exit 1; fi
done
GATEWAY_PASSTHROUGH=0
PASSTHROUGH_GATEWAY=
PASSTHROUGH_BEFORE=
if [[ " $SCENARIOS " == *" passthrough "* ]]; then
    wait_ready haproxy-tcp "$P_HAPROXY_TCP" legacy.partner.test
    # The gateway target of passthrough: `gateway`, else the first gateway variant of --targets (all relay it).
    PASSTHROUGH_GATEWAY=$(tr ' ' '\n' <<<"$TARGETS" | grep '^gateway' | grep -vx gateway-before | sort | head -1 || true)
    # A before/after pair relays side by side too.
    [[ " $TARGETS " == *" gateway-before "* ]] && PASSTHROUGH_BEFORE=gateway-before
    if [[ -n $PASSTHROUGH_GATEWAY && "$(probe "${PORT_OF[$PASSTHROUGH_GATEWAY]}" legacy.partner.test)" == 200 ]]; then GATEWAY_PASSTHROUGH=1; fi
fi
echo "targets ready: $TARGETS (work dir $WORK)"

if ! [[ $ROUNDS =~ ^[1-9][0-9]*$ ]]; then echo "--rounds takes a positive number" >&2; exit 2; fi

# ---- running ------------------------------------------------------------------------------------------------
summary() { # prints the last result line in one line
    tail -1 "$JSONL" | jq -r '"  \(.scenario) \(.target) [\(.client // "mtls-load")] (round \(.round // 1)): \(.value) \(.unit)"
        + (if .p99Ms then "  p50 \(.p50Ms) ms  p99 \(.p99Ms) ms" else "" end)
        + (if .proxyCores then "  proxy cores \(.proxyCores)  per CPU-s \(.perProxyCpuSecond)  cpu busy \(.cpuBusy)" else "" end)
        + (if (.errors // 0) > 0 then "  errors \(.errors) (\(.lastError))" else "" end)
        + "  load \(.machine.loadAverage)"'
}
# The full warm-up goes to the first run of a scenario against a target, whichever client drives it; every later
# run (the other client, later rounds) gets the short one: the process is warm by then.
declare -A WARMED
warmup_for() { # $1 = label, $2 = target; sets WARMUP_NOW
    WARMUP_NOW=$REWARM
    if [[ -z ${WARMED[$1/$2]:-} ]]; then WARMUP_NOW=$WARMUP; WARMED[$1/$2]=1; fi
}
# $1 = label, $2 = target, $3 = port, then mtls-load arguments (scenario first).
run_load() {
    local label=$1 target=$2 port=$3; shift 3
    local scenario=$1; shift
    local note=""
    if [[ $QUICK -eq 1 ]]; then note="smoke (--quick)"; fi
    warmup_for "$label" "$target"
    local warmup=$WARMUP_NOW
    timeout $((warmup + DURATION + 150)) env "${DOTNET_ENV[@]}" "${NICE_CMD[@]}" taskset -c 1 dotnet "$LOAD_DLL" "$scenario" \
        --label "$label" --target "$target" --port "$port" --pids "$(pids_of "$target")" \
        --cert "$CLIENT_CRT" --key "$CLIENT_KEY" --duration "$DURATION" --warmup "$warmup" --round "$ROUND" \
        ${note:+--note "$note"} ${HEADERS_OF[$target]:+--header-file "${HEADERS_OF[$target]}"} --out "$JSONL" "$@" >/dev/null \
        || echo "{\"scenario\":\"$label\",\"target\":\"$target\",\"client\":\"mtls-load\",\"round\":$ROUND,\"value\":null,\"note\":\"run failed (exit $?)\"}" >>"$JSONL"
    summary
}
# The same through mtls-loadgen: mtls-load's `external` scenario runs it with the same warm-up and duration and
# takes the /proc samples around its measured interval. $1 = label, $2 = target, $3 = port, $4 = mtls-load options
# (a string, e.g. "--idle true --hold 5"), then mtls-loadgen arguments.
run_loadgen() {
    local label=$1 target=$2 port=$3 extra=$4; shift 4
    local note="" warmup bin=${LOADGEN_BIN:-$LOADGEN} name=${LOADGEN_NAME:-mtls-loadgen}
    if [[ $QUICK -eq 1 ]]; then note="smoke (--quick)"; fi
    warmup_for "$label" "$target"
    warmup=$WARMUP_NOW
    # shellcheck disable=SC2086 # $extra is a list of options
    timeout $((warmup + DURATION + 150)) env "${DOTNET_ENV[@]}" "${NICE_CMD[@]}" taskset -c 1 dotnet "$LOAD_DLL" external \
        --client "$name" --label "$label" --target "$target" --pids "$(pids_of "$target")" \
        --duration "$DURATION" --warmup "$warmup" --round "$ROUND" ${note:+--note "$note"} --out "$JSONL" $extra \
        -- "$bin" -addr "127.0.0.1:$port" -d "${DURATION}s" -warmup "${warmup}s" -cert "$CLIENT_CRT" -key "$CLIENT_KEY" \
        -ca "$PKI/partners-root.crt" "$@" >/dev/null \
        || echo "{\"scenario\":\"$label\",\"target\":\"$target\",\"client\":\"$name\",\"round\":$ROUND,\"value\":null,\"note\":\"run failed (exit $?)\"}" >>"$JSONL"
    summary
}
# The clients of this round: --clients in order, reversed every other round (no client always measures first).
round_clients() {
    if (( ROUND % 2 == 0 )); then echo "$CLIENTS" | awk '{for (i = NF; i > 0; i--) printf "%s ", $i}'; else echo "$CLIENTS"; fi
}
# Runs one scenario's load against a target with every client that can (the order of the clients alternates by
# round). $1 = label, $2 = target, $3 = mtls-load arguments (a string; empty: mtls-load cannot), $4 = mtls-load
# external options, then mtls-loadgen arguments (none: mtls-loadgen cannot).
run_clients() {
    local label=$1 target=$2 load_args=$3 external=$4; shift 4
    local clients=${ONLY_CLIENT:-$(round_clients)}
    for client in $clients; do
        case $client in
            # shellcheck disable=SC2086
            mtls-load) [[ -n $load_args ]] && run_load "$label" "$target" "${PORT_OF[$target]}" $load_args ;;
            # mtls-loadgen sends no extra headers: a target that needs them (a bearer token) is left to the others.
            mtls-loadgen) [[ $# -gt 0 && -z ${HEADERS_OF[$target]:-} ]] && run_loadgen "$label" "$target" "${PORT_OF[$target]}" "$external" "$@" ;;
            # bench/HeaderLoad (Go net/http): keep-alive only, every target, with the target's headers if it has any.
            headerload)
                [[ $label == keepalive ]] && LOADGEN_BIN=$HEADERLOAD LOADGEN_NAME=headerload run_loadgen "$label" "$target" "${PORT_OF[$target]}" \
                    "$external" -c "$CONNECTIONS" ${HEADERS_OF[$target]:+-header-file "${HEADERS_OF[$target]}"} ;;
        esac
    done
    return 0
}
# --concurrent: every target of the round under load at the same time, one client at a time (each target its own
# client process, the same warm-up and measured window), so a slow second of the machine falls on all of them alike.
# $1 = label, $2 = targets, then run_clients' arguments after the target.
run_side_by_side() {
    local label=$1 targets=$2 client t pids; shift 2
    if [[ $CONCURRENT -eq 0 ]]; then
        for t in $targets; do run_clients "$label" "$t" "$@"; done
        return 0
    fi
    for client in $(round_clients); do
        pids=()
        # each run its own results file (concurrent appends of one file can interleave), joined once all have ended
        for t in $targets; do JSONL="$WORK/side.$t.jsonl" ONLY_CLIENT=$client run_clients "$label" "$t" "$@" >/dev/null & pids+=("$!"); done
        wait "${pids[@]}" || true # only these: the proxies started here are background jobs of this shell too
        for t in $targets; do [[ -f $WORK/side.$t.jsonl ]] && cat "$WORK/side.$t.jsonl" >>"$JSONL"; rm -f "$WORK/side.$t.jsonl"; done
        for t in $targets; do WARMED[$label/$t]=1; done
        jq -r --arg s "$label" --arg c "$client" --argjson r "$ROUND" 'select(.scenario == $s and (.client // "mtls-load") == $c and .round == $r)
            | "  \(.scenario) \(.target) [\($c)] (round \($r), concurrent): \(.value) \(.unit)  proxy cores \(.proxyCores)  per CPU-s \(.perProxyCpuSecond)"' "$JSONL"
    done
}
skipped() { # $1 = label, $2 = target, $3 = why
    jq -cn --arg s "$1" --arg t "$2" --arg n "$3" --argjson r "$ROUND" '{scenario:$s,target:$t,round:$r,value:null,note:$n}' >>"$JSONL"
    summary
}
machine_json() {
    jq -cn --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --arg kernel "$(uname -r)" --argjson n "$(nproc --all)" '{nproc:$n,cpuModel:$cpu,loadAverage:$load,kernel:$kernel,runtime:"n/a"}'
}

# The crypto ceiling on the proxies' core, for reference.
echo "openssl speed -seconds 3 ecdsap256 (CPU 0)"
speed=$(timeout 60 "${NICE_CMD[@]}" taskset -c 0 openssl speed -seconds 3 ecdsap256 2>/dev/null | grep -E 'nistp256' | tail -1)
sign=$(awk '{print $(NF-1)}' <<<"$speed"); verify=$(awk '{print $NF}' <<<"$speed")
for pair in "sign:$sign" "verify:$verify"; do
    jq -cn --arg t "openssl speed ecdsap256 ${pair%%:*} (CPU 0)" --argjson v "${pair#*:}" --argjson machine "$(machine_json)" \
        '{scenario:"crypto-ceiling",target:$t,client:"openssl speed",metric:"ECDSA P-256 operations",unit:"op/s",value:$v,higherIsBetter:true,machine:$machine}' >>"$JSONL"
    summary
done

# The targets of a round, rotated by one place per round so that no target always runs first or last.
rotated() { # $1 = round, then the targets
    local round=$1; shift
    local list=("$@") n=$# k
    [[ $n -eq 0 ]] && return 0 # e.g. --targets yarp-headers in a connection scenario
    k=$(( (round - 1) % n ))
    echo "${list[@]:k}" "${list[@]:0:k}"
}

LOADGEN_INSECURE=(-insecure) # handshake loops: like mtls-load's pinning, the client spends its core on the connection
for scenario in $SCENARIOS; do
  for ROUND in $(seq 1 "$ROUNDS"); do
    echo "== $scenario (round $ROUND of $ROUNDS)"
    ORDER=$(rotated "$ROUND" $TARGETS)
    # yarp-headers differs from yarp only per request: the connection scenarios leave it out.
    ORDER_CONN=$(rotated "$ROUND" ${TARGETS//yarp-headers/})
    case $scenario in
        keepalive)
            run_side_by_side keepalive "$ORDER" "keepalive --connections $CONNECTIONS" "" -mode keepalive -c "$CONNECTIONS" -expect ok ;;
        h2)
            for t in $ORDER; do
                run_clients h2 "$t" "h2 --connections $H2_CONNECTIONS --streams $H2_STREAMS" ""
            done ;;
        handshake)
            run_side_by_side handshake-full "$ORDER_CONN" "handshake --connections $HANDSHAKE_CONNECTIONS --resume false" "" \
                -mode handshake -c "$HANDSHAKE_CONNECTIONS" "${LOADGEN_INSECURE[@]}"
            # mtls-loadgen never resumes (no ClientSessionCache): resumed handshakes are mtls-load's and s_time's.
            run_side_by_side handshake-resumed "$ORDER_CONN" "handshake --connections $HANDSHAKE_CONNECTIONS --resume true" "" ;;
        relay-conn)
            # Only the gateway targets relay by SNI on their TLS port; each runs alone, or side by side with --concurrent.
            run_side_by_side relay-conn "$(tr ' ' '\n' <<<"$ORDER_CONN" | grep '^gateway' | paste -sd' ' -)" \
                "handshake --sni legacy.partner.test --connections $HANDSHAKE_CONNECTIONS --resume false" "" \
                -mode handshake -sni legacy.partner.test -c "$HANDSHAKE_CONNECTIONS" "${LOADGEN_INSECURE[@]}" ;;
        s_time)
            # openssl's own client, for comparison with mtls-load's handshakes: STIME_CLIENTS sequential clients in
            # parallel, `-new` (full handshake each time) and `-reuse` (resume the first session), one GET each.
            for mode in new reuse; do
                for t in $ORDER_CONN; do
                    port=${PORT_OF[$t]}
                    clients=()
                    for i in $(seq 1 $STIME_CLIENTS); do
                        timeout $((DURATION + 30)) "${NICE_CMD[@]}" taskset -c 1 openssl s_time -connect "127.0.0.1:$port" -"$mode" \
                            -cert "$CLIENT_CRT" -key "$CLIENT_KEY" -time "$DURATION" -www / \
                            >"$WORK/s_time.$i" 2>&1 &
                        clients+=("$!")
                    done
                    for pid in "${clients[@]}"; do wait "$pid" || true; done
                    total=$(cat "$WORK"/s_time.* | grep -Eo '^[0-9]+ connections in [0-9.]+ real' | awk '{s+=$1} END {print s+0}')
                    jq -cn --arg s "s_time-$mode" --arg t "$t" --argjson v "$(awk -v n="$total" -v d="$DURATION" 'BEGIN{printf "%.1f", n/d}')" \
                        --argjson machine "$(machine_json)" --argjson c "$STIME_CLIENTS" --arg note "$([[ $QUICK -eq 1 ]] && echo 'smoke (--quick)')" --argjson r "$ROUND" \
                        '{scenario:$s,target:$t,client:"openssl s_time",round:$r,metric:"openssl s_time connections",unit:"conn/s",value:$v,higherIsBetter:true,connections:$c,note:$note,machine:$machine}' >>"$JSONL"
                    summary
                    rm -f "$WORK"/s_time.*
                done
            done ;;
        passthrough)
            # Through a relay that does not terminate TLS, to the backend's TLS port: MB/s of 1 MiB responses on
            # keep-alive connections, then new TLS connections per second (the backend's handshake, relayed).
            for label in passthrough passthrough-conn; do
                for t in $(rotated "$ROUND" direct haproxy-tcp "${PASSTHROUGH_GATEWAY:-gateway}" $PASSTHROUGH_BEFORE); do
                    if [[ $t == gateway* && $GATEWAY_PASSTHROUGH -eq 0 ]]; then
                        skipped "$label" gateway "skipped: the gateway did not relay legacy.partner.test (passthrough not working yet?)"
                        continue
                    fi
                    if [[ $label == passthrough ]]; then
                        run_clients "$label" "$t" "throughput --sni legacy.partner.test --path /big --connections $THROUGHPUT_CONNECTIONS" "" \
                            -mode bulk -sni legacy.partner.test -path /big -c "$THROUGHPUT_CONNECTIONS" -min-body 1048576
                    else
                        run_clients "$label" "$t" "handshake --sni legacy.partner.test --connections $HANDSHAKE_CONNECTIONS --resume false" "" \
                            -mode handshake -sni legacy.partner.test -c "$HANDSHAKE_CONNECTIONS" "${LOADGEN_INSECURE[@]}"
                    fi
                done
            done ;;
        idle)
            # Once: a process keeps the memory its first idle connections took, so a later round would measure
            # nothing; for the same reason every client measures a freshly started target (since 2026-12-07; before,
            # the one client measured the process the other scenarios had warmed).
            [[ $ROUND -gt 1 ]] && continue
            for t in $ORDER_CONN; do
                for client in $CLIENTS; do
                    restart_target "$t"
                    CLIENTS="$client" run_clients idle "$t" "idle --connections $IDLE_CONNECTIONS --hold $IDLE_HOLD --warmup 0" \
                        "--idle true --hold $IDLE_HOLD --warmup 0 --connections $IDLE_CONNECTIONS" \
                        -mode idle -c "$IDLE_CONNECTIONS" -p 32 -hold "$((IDLE_HOLD + 4))s"
                done
            done ;;
        *) echo "unknown scenario $scenario" >&2 ;;
    esac
  done
done

# ---- report ------------------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
TITLE="mTLS benchmark $STAMP"
[[ $QUICK -eq 1 ]] && TITLE="$TITLE — SMOKE RUN (--quick, not a measurement)"
dotnet "$LOAD_DLL" report --in "$JSONL" --out "$RESULTS_DIR/$STAMP.md" --title "$TITLE"
{
    echo
    echo "## Run parameters"
    echo
    echo "- command: \`bench/run.sh $ORIGINAL_ARGS\`; $ROUNDS interleaved round(s); ${DURATION} s per run after ${WARMUP} s of the same load as warm-up (${REWARM} s from the second round on)"
    echo "- .NET processes' environment: ${DOTNET_ENV[*]:-(none)}; git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' + uncommitted changes')"
    echo "- clients: $CLIENTS (+ openssl s_time in the s_time scenario); nice $NICE for the proxies, the backend and the clients; load average before the run $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- keep-alive: $CONNECTIONS connections (one request in flight each); h2: $H2_CONNECTIONS connections × $H2_STREAMS streams; handshakes: $HANDSHAKE_CONNECTIONS concurrent; passthrough: $THROUGHPUT_CONNECTIONS connections × 1 MiB responses; idle: $IDLE_CONNECTIONS connections held ${IDLE_HOLD} s; s_time: $STIME_CLIENTS clients"
    echo "- proxies under test on CPU 0 (\`taskset -c 0\`), backend nginx and the load generator on CPU 1; $(machine)"
    if [[ $CONCURRENT -eq 1 ]]; then echo "- concurrent targets; the proxies' core split by: $CPU_SPLIT"; fi
} >>"$RESULTS_DIR/$STAMP.md"
jq -s . "$JSONL" >"$RESULTS_DIR/$STAMP.json"
echo "wrote $RESULTS_DIR/$STAMP.md and $RESULTS_DIR/$STAMP.json"
machine
