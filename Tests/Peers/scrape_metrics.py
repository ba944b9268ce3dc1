"""Fetches a Prometheus text endpoint and parses it with the reference parser (prometheus_client).

Prints one JSON object: {"status": <http status>, "samples": [[name, {labels}, value], ...]}.
Exits non-zero when the text does not parse, so a malformed exposition fails the test.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

url = sys.argv[1]
with urllib.request.urlopen(url, timeout=10) as response:
    status = response.status
    text = response.read().decode("utf-8")
samples = []
for family in text_string_to_metric_families(text):
    for sample in family.samples:
        samples.append([sample.name, sample.labels, sample.value])
print(json.dumps({"status": status, "samples": samples}))
