"""Peak memory and CPU of processing hostile photos (and two honest ones), per upload.

    python -m bench.image_bombs [--old OLD_IMAGES_PY] [--only NAME]

Each image goes through ``process_image`` in a fresh Python process standing
in for a worker; the figures are that process's peak RSS (VmHWM) above its RSS before
the call, the decoder's peak RSS (VmHWM, as it reports it in the log), CPU
seconds of both, the wall time and the answer. ``--old`` also runs a
previous ``service_requests/photos/images.py`` (e.g. ``git show
<rev>:service_requests/photos/images.py > /tmp/old_images.py``) the same way.
"""
import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile

from PIL import Image

from bench.common import report
from tests.support.photos import jpeg_scan_bomb, uniform_rgba_png

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEW = os.path.join(ROOT, "service_requests", "photos", "images.py")

# Runs in the stand-in worker: load the pipeline from a file, process one image.
_PROBE = r"""
import importlib.util, json, resource, sys, time
path, image = sys.argv[1], sys.argv[2]
if path.endswith(os.path.join("service_requests", "photos", "images.py")):
    from service_requests.photos import images as module  # the probe runs in that checkout's root (cwd)
else:
    spec = importlib.util.spec_from_file_location("old_images", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
import logging
reported = []
class Keep(logging.Handler):
    def emit(self, record):
        if record.msg.startswith("photo decoder"):
            reported.append(record.args[1])
logging.getLogger().addHandler(Keep())
logging.getLogger().setLevel(logging.INFO)
data = open(image, "rb").read()
def status_kb(field):
    return int(open("/proc/self/status").read().split(field + ":")[1].split()[0])
before = status_kb("VmRSS")
started, cpu = time.monotonic(), time.process_time()
try:
    result = module.process_image(data)
    answer = f"stored {result.width}x{result.height} {result.content_type}"
except module.ImageRejected as exc:
    answer = f"{exc.status} {exc.code}: {exc.message}"
wall, cpu = time.monotonic() - started, time.process_time() - cpu
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the process that forked us.
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"answer": answer, "wall": wall, "cpu": cpu, "rss_before_mb": before / 1024,
                  "worker_peak_growth_mb": (status_kb("VmHWM") - before) / 1024,
                  "decoder_peak_mb": (reported[0] if reported else kids.ru_maxrss) / 1024, "decoder_cpu": kids.ru_utime + kids.ru_stime}))
""".replace("import importlib", "import os, importlib")


def phone_photo(size=(4000, 3000)) -> bytes:
    """A noisy JPEG turned by EXIF orientation 6, as an Android phone stores a portrait photo."""
    img = Image.frombytes("RGB", (size[0], 64), random.Random(3).randbytes(size[0] * 64 * 3)).resize(size)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


IMAGES = {
    "jpeg_10000_scans": lambda: jpeg_scan_bomb((4000, 3000)),
    "png_40mpx_rgba": uniform_rgba_png,
    "photo_12mpx_jpeg": phone_photo,
    "photo_24mpx_jpeg": lambda: phone_photo((6000, 4000)),
}


def measure(pipeline: str, image_path: str) -> dict:
    pipeline = os.path.abspath(pipeline)
    # `python -c` puts its working directory first on sys.path: a checkout's
    # service_requests/photos/images.py is imported as a package from that checkout's root,
    # a loose file (git show ... > /tmp/old_images.py) beside this repository's packages.
    in_checkout = pipeline.endswith(os.path.join("service_requests", "photos", "images.py"))
    checkout = os.path.dirname(os.path.dirname(pipeline)) if in_checkout else ROOT
    done = subprocess.run([sys.executable, "-c", _PROBE, pipeline, image_path],  # noqa: S603 - our own paths
                          capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(old: str | None = None, only: str | None = None) -> None:
    pipelines = {"new": NEW, **({"old": old} if old else {})}
    with tempfile.TemporaryDirectory() as folder:
        for name, build in IMAGES.items():
            if only and name != only:
                continue
            path = os.path.join(folder, name)
            with open(path, "wb") as file:
                file.write(build())
            for label, pipeline in pipelines.items():
                m = measure(pipeline, path)
                peak = m["worker_peak_growth_mb"] + m["decoder_peak_mb"]
                report(f"images.{name}.{label}", peak, "MiB", None, None,
                       f"size {os.path.getsize(path) // 1024} KB; worker +{m['worker_peak_growth_mb']:.0f} MiB "
                       f"(from {m['rss_before_mb']:.0f}), decoder peak {m['decoder_peak_mb']:.0f} MiB; "
                       f"CPU worker {m['cpu']:.2f} s + decoder {m['decoder_cpu']:.2f} s; "
                       f"wall {m['wall']:.2f} s; {m['answer'][:90]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", help="a previous service_requests/photos/images.py to compare with")
    parser.add_argument("--only", choices=sorted(IMAGES), help="measure one image")
    args = parser.parse_args()
    run(args.old, args.only)
