"""One HTTP request as a tus client makes it by hand, for what tuspy will not do (a wrong
checksum, a PATCH sent twice, an unknown algorithm).

    request.py URL METHOD [-H "Name: value"]...    (the body on standard input)

Prints one JSON object: `status`, `headers` (names in lower case, repeated ones joined with
", ") and `body` (as text); `status` 0 and `error` when no response could be read (the
connection failed). Used by server/tests/tus.rs.
"""

import argparse
import http.client
import json
import sys
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("method")
    parser.add_argument("-H", dest="headers", action="append", default=[])
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.url)
    body = sys.stdin.buffer.read()
    headers = {}
    for header in args.headers:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    if not body and args.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        body = None
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    path = url.path + ("?" + url.query if url.query else "")
    try:
        connection.request(args.method, path, body=body, headers=headers)
    except (BrokenPipeError, ConnectionResetError) as e:
        # The server answered (and closed) before reading the whole body: its answer may
        # still be readable.
        sent_error = e
    else:
        sent_error = None
    try:
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as e:
        error = f"{sent_error!r} while sending, then {e!r}" if sent_error else repr(e)
        json.dump({"status": 0, "headers": {}, "body": "", "error": error}, sys.stdout)
        print()
        return
    got = {}
    for name, value in response.getheaders():
        name = name.lower()
        got[name] = got[name] + ", " + value if name in got else value
    text = response.read().decode("utf-8", "replace")
    connection.close()
    json.dump({"status": response.status, "headers": got, "body": text}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
