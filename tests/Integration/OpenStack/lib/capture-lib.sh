# The call printer of capture-api.sh and capture-cinder.sh (sourced; they set TMP, a scratch directory).
# Prints request line, status, the headers that matter and the body (trimmed with jq); masks tokens and secrets.
HDRS='^(content-type|content-length|location|x-subject-token|x-openstack-request-id|x-compute-request-id|openstack-api-version|x-openstack-nova-api-version|www-authenticate|date|retry-after|server)$'

mask() { sed -E 's/(gAAAA[A-Za-z0-9_-]{8})[A-Za-z0-9_=-]+/\1…/g; s/("secret": ?")[^"]+/\1…/g'; }
say() { printf '\n### %s\n' "$*"; }
# rq JQFILTER METHOD URL [curl args...]: one call, printed compactly
rq() {
  local filter=$1 method=$2 url=$3; shift 3
  curl -s -D $TMP/h -o $TMP/b -X "$method" "$url" "$@" >/dev/null; local rc=$?
  echo "> $method ${url#http://127.0.0.1}"
  if [ $rc != 0 ]; then echo "< curl exit $rc ($(case $rc in 7) echo connection refused;; 28) echo timeout;; 52) echo empty reply;; *) echo error;; esac))"; return; fi
  tr -d '\r' <$TMP/h | head -1 | sed 's/^/< /'
  [ "$(awk 'NR==1{print $2}' $TMP/h)" -ge 300 ] && filter=.   # error bodies always in full
  tr -d '\r' <$TMP/h | awk -F': ' -v re="$HDRS" 'NR>1 && tolower($1) ~ re {print "< " $0}' | mask
  if [ -s $TMP/b ]; then
    if jq -e . $TMP/b >/dev/null 2>&1; then jq -c "$filter" $TMP/b | mask | cut -c1-4000
    else echo "$(head -c 600 $TMP/b | tr '\n' ' ')"; fi
  else echo "(empty body)"; fi
}
hdr() { tr -d '\r' <$TMP/h | awk -F': ' -v k="$1" 'tolower($1)==tolower(k){print $2}'; }
body() { cat $TMP/b; }

pwauth() { # user password project
  printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"%s","domain":{"name":"Default"},"password":"%s"}}},"scope":{"project":{"name":"%s","domain":{"name":"Default"}}}}}' "$1" "$2" "$3"
}
J=(-H 'Content-Type: application/json')
