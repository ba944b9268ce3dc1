"""GET a URL; print the HTTP status on the first line and the body after it (errors included)."""
import sys
import urllib.error
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        status, body = response.status, response.read()
except urllib.error.HTTPError as error:
    status, body = error.code, error.read()
sys.stdout.write(f"{status}\n{body.decode('utf-8')}")
