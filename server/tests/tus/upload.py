"""Uploads a file to Qoima's tus 1.0.0 endpoint with tuspy, the tus project's Python client.

    upload.py SERVER KEY FILE [--chunk-size N] [--chunks K] [--resume URL] [--sha256 HEX]
                              [--no-checksum]

Creates an upload at SERVER/v1/uploads (metadata: the file's SHA-256, its name and type) and
sends the file in chunks of N bytes, each with `Upload-Checksum: sha256 …` (tuspy's checksum
support, switched from its SHA-1 to SHA-256), or only K chunks (an interrupted client); with
--resume, continues the upload at URL instead, from the offset the server gives (HEAD), as a
new client process would. --sha256 declares another whole-file digest than the file's.

Prints one JSON object: `url`, `id` (the upload's), `offset` (where the client stopped),
`resumedFrom` (the server's offset when resuming); when the server refuses a request, also
`error`, `status` and `body`, and exits 3. Used by server/tests/tus.rs.
"""

import argparse
import hashlib
import json
import os
import sys

from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.uploader import Uploader


class Sha256Uploader(Uploader):
    """tuspy's uploader with SHA-256 chunk checksums (it sends SHA-1 by default; Qoima
    announces `Tus-Checksum-Algorithm: sha256`)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("key")
    parser.add_argument("file")
    parser.add_argument("--chunk-size", type=int, default=1 << 20)
    parser.add_argument("--chunks", type=int)
    parser.add_argument("--resume")
    parser.add_argument("--sha256")
    parser.add_argument("--no-checksum", action="store_true")
    args = parser.parse_args()

    with open(args.file, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    client = tus.TusClient(
        args.server.rstrip("/") + "/v1/uploads",
        headers={"Authorization": "Bearer " + args.key},
    )
    out = {"url": args.resume, "offset": None}
    uploader = None
    try:
        uploader = Sha256Uploader(
            file_path=args.file,
            client=client,
            url=args.resume,
            chunk_size=args.chunk_size,
            metadata={
                "sha256": args.sha256 or digest,
                "filename": os.path.basename(args.file),
                "filetype": "application/pdf",
            },
            upload_checksum=not args.no_checksum,
        )
        if args.resume:
            out["resumedFrom"] = uploader.offset
        if args.chunks is None:
            uploader.upload()
        else:
            for _ in range(args.chunks):
                uploader.upload_chunk()
    except (TusCommunicationError, TusUploadFailed) as e:
        out["error"] = str(e)
        out["status"] = e.status_code
        body = e.response_content
        out["body"] = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if uploader is not None:
        out["url"] = uploader.url
        out["offset"] = uploader.offset
    if out["url"]:
        out["id"] = out["url"].rstrip("/").rsplit("/", 1)[-1]
    json.dump(out, sys.stdout)
    print()
    return 3 if "error" in out else 0


if __name__ == "__main__":
    sys.exit(main())
