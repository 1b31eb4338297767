"""The worker program: ``python -I worker/__main__.py CHAPTER_FILE REQUESTS REPLIES`` serves one
chapter file's calls; ``... --zygote CONTROL SCRATCH [MODULE...]`` is a warm sandbox.

Run as a script, in the sandbox too, where nothing of nndl is visible: this
folder goes first on sys.path and its modules are imported by their own names.
"""
import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import calls
    import zygote

    if len(sys.argv) > 2 and sys.argv[1] == "--zygote":
        sys.exit(zygote.zygote(int(sys.argv[2]), sys.argv[3], sys.argv[4:]))
    sys.exit(calls.main(sys.argv))
