#!/usr/bin/env sh
# The `puretls` command next to openssl, after the README set-up (`npm run build`).
# puretls s_server on a free port, openssl s_client against it; then the reverse.
set -eu
cd "$(dirname "$0")/.."

# 1. puretls s_server (a throwaway self-signed certificate when -cert is not given), echoing.
pnpm_exec="npx -y pnpm@10.34.8 exec"
out=$(mktemp)
$pnpm_exec puretls s_server -accept 0 -echo -naccept 1 -brief >"$out" &
server=$!
while ! grep -q ACCEPT "$out"; do sleep 0.1; done
addr=$(sed -n 's/^ACCEPT //p' "$out")
echo "puretls s_server on $addr"
# s_client closes (close_notify) at the end of its stdin: keep it open a moment for the echo.
(printf 'hello from openssl\n'; sleep 1) | openssl s_client -connect "$addr" -brief 2>/dev/null
wait "$server"
rm -f "$out"

# 2. puretls s_client against openssl s_server, printing what was negotiated (-brief).
dir=$(mktemp -d)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 1 2>/dev/null
# openssl 3.0 does not print the port it binds for :0: ask the OS for a free one first.
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
openssl s_server -accept "127.0.0.1:$port" -cert "$dir/cert.pem" -key "$dir/key.pem" -rev -naccept 1 >"$dir/s.out" 2>&1 &
while ! grep -q ACCEPT "$dir/s.out"; do sleep 0.1; done
printf 'reversed by openssl\n' | $pnpm_exec puretls s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$dir/cert.pem" -brief
rm -rf "$dir"
