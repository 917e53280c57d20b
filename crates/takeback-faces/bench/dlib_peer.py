"""The peer in the benchmark: dlib via ageitgey's face_recognition (HOG detector upsampled once,
then the 128-D encodings), one process per worker with single-threaded BLAS, over every image in
the folders given. Prints one JSON line: images, faces, wall seconds, CPU seconds (all processes),
peak RSS of the largest worker.

    python dlib_peer.py [--workers 2] DIR...

Install (PyPI wheels only, no compiler): pip install dlib-bin face_recognition_models Click
numpy Pillow "setuptools<81" && pip install --no-deps face_recognition
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from multiprocessing import Pool  # noqa: E402


def work(path):
    import face_recognition

    image = face_recognition.load_image_file(path)
    boxes = face_recognition.face_locations(image, number_of_times_to_upsample=1)
    face_recognition.face_encodings(image, boxes)
    return len(boxes)


def warm(_):
    import face_recognition  # noqa: F401  (model load, counted in the wall time)

    return 0


def main():
    args = sys.argv[1:]
    workers = 2
    if args[:1] == ["--workers"]:
        workers, args = int(args[1]), args[2:]
    paths = []
    for folder in args:
        for root, _, files in sorted(os.walk(folder)):
            paths += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith((".jpg", ".jpeg", ".png"))]
    start = time.perf_counter()
    with Pool(workers) as pool:
        pool.map(warm, range(workers))
        loaded = time.perf_counter()
        faces = pool.map(work, paths, chunksize=1)
    end = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "peer": "dlib face_recognition (HOG, upsample 1)",
        "workers": workers,
        "images": len(paths),
        "faces": sum(faces),
        "load_s": round(loaded - start, 2),
        "wall_s": round(end - start, 2),
        "images_per_s": round(len(paths) / (end - start), 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime + own.ru_utime + own.ru_stime, 2),
        "peak_rss_mb_worker": round(usage.ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
