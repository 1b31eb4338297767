import os


def _fill(folder):
    """Write 1 MiB files into folder until it refuses; the bytes written."""
    block, written = b"\0" * (1 << 20), 0
    try:
        for number in range(100_000):
            with open(os.path.join(folder, f"fill-{number}"), "wb") as handle:
                handle.write(block)
            written += len(block)
    except OSError:
        pass
    return written


def linear(x):
    written = _fill(".") + _fill("/tmp")
    if written > 2 * @CAP@:
        raise RuntimeError(f"wrote {written} bytes: the scratch folder has no size cap")
    return np.zeros_like(np.asarray(x, dtype=np.float64))
