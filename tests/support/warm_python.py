"""A Python interpreter for Ansible's module runs that starts with the OCI SDK already imported (the oci layer's).

Every oracle.oci module run is a new Python process that imports most of the oci SDK's service models before it
looks at its arguments: about 0.8 s of CPU of a 1.5 s run, and the oci layer is CPU-bound on those runs. Here a server
imports the same third-party packages once and forks a process for each module run; the client, which Ansible runs
as `ansible_python_interpreter`, hands it its argv, working directory, umask, environment and standard streams (the
file descriptors themselves) and exits with the module's exit status.

What the module runs is untouched: Ansible's AnsiballZ wrapper, with the module and the module_utils it ships in its
payload (ansible.module_utils and the collections' code are imported from the payload, as in a cold process: the
server imports them to learn what they need and then forgets them). Only the packages outside Ansible (oci,
cryptography, requests, kubernetes, ...) are already in sys.modules.

Packages read the environment when they are imported (the oci SDK reads OCI_DEVELOPER_TOOL_CONFIGURATION_FILE_PATH
then, for one), so the server imports them in the environment its runs will have (`env`, what run_playbook gives
ansible-playbook), and a run whose environment differs from it (a task's `environment:`, another variable) is not
forked warm: its process executes a cold interpreter, exactly as `python SCRIPT` would run. Only the variables a
shell keeps for itself (PWD, SHLVL, _, OLDPWD) may differ. The server's log (`.log`) says which runs went cold and
why.

The payload's own files are compiled from the payload's bytes, as zipimport does; what the server keeps is Python's
bytecode cache for them: the code compiled from each file the preloaded modules imported, keyed by the sha256 of its
bytes, is used for a payload file with exactly those bytes (with the payload's path as its file name), as a .pyc
validated by its source's hash would be. Any other file is compiled as usual.

    with WarmPython(tmp_dir, [...], collections, env=playbook_env(stack_env)) as warm:
        run_playbook(..., env=stack_env, extra_vars={"ansible_python_interpreter": warm.interpreter})

`python warm_python.py serve SOCKET [MODULE ...]` is the server (started by WarmPython); the client is a small
script WarmPython writes, run by this same interpreter with -S -E (standard library only, no start-up cost).
"""

from __future__ import annotations

import array
import atexit
import builtins
import hashlib
import importlib
import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import threading
import traceback
import zipimport

CLIENT = r'''#!{python} -SE
# The oci layer's module interpreter: the run happens in a process forked from {server} (tests/support/warm_python.py).
import array, json, os, socket, sys
umask = os.umask(0o022)
os.umask(umask)
request = json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask}}).encode()
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.connect({socket!r})
conn.sendmsg([len(request).to_bytes(8, "big") + request],
             [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
status = b""
while True:
    chunk = conn.recv(64)
    if not chunk:
        break
    status += chunk
if not status:
    sys.stderr.write("warm python: the server ended the run without an exit status\n")
    sys.exit(70)
if status.startswith(b"signal "):
    import signal
    signal.signal(int(status.split()[1]), signal.SIG_DFL)
    os.kill(os.getpid(), int(status.split()[1]))
sys.exit(int(status))
'''

# What the server imports for its module list and then removes again: these come from each run's AnsiballZ payload.
OWN = ("ansible", "ansible_collections", "__main__")
# What a shell sets for itself (Ansible's local connection runs the interpreter through /bin/sh).
SHELL_OWN = frozenset(("PWD", "OLDPWD", "SHLVL", "_"))


def _ours(name):
    return any(name == prefix or name.startswith(prefix + ".") for prefix in OWN)


def preload(modules, collections_path):
    """Import the modules (and so every third-party package they import), then drop Ansible's and the collections'
    own modules from sys.modules so that each run imports them from its payload. Returns the bytecode cache of those
    dropped: {sha256 of a file's bytes: the code compiled from them}."""
    sys.path.insert(0, collections_path)
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        sys.path.remove(collections_path)
    cache = {}
    for name in [name for name in sys.modules if _ours(name)]:
        path = getattr(sys.modules.pop(name), "__file__", None)
        if path and path.endswith(".py"):
            with open(path, "rb") as handle:
                source = handle.read()
            # compiled as zipimport compiles a payload file (line endings normalized, no inherited flags)
            compiled = zipimport._compile_source(path, source)  # pylint: disable=protected-access
            cache[hashlib.sha256(source).digest()] = compiled
    return cache


def _renamed(code, filename):
    """The code object (and the code objects it holds) with co_filename set, as compiling it there would have."""
    consts = tuple(_renamed(const, filename) if isinstance(const, type(code)) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def use_cache(cache):
    """Make zipimport take the cached code of a payload file whose bytes are a cached file's."""
    compile_source = zipimport._compile_source  # pylint: disable=protected-access

    def cached(pathname, source):
        code = cache.get(hashlib.sha256(source).digest())
        return compile_source(pathname, source) if code is None else _renamed(code, pathname)
    zipimport._compile_source = cached  # pylint: disable=protected-access


def _receive(conn):
    """The client's request (a dict) and its three file descriptors."""
    fds = array.array("i")
    data, ancillary, _flags, _addr = conn.recvmsg(1 << 20, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - (len(payload) % fds.itemsize)])
    size = int.from_bytes(data[:8], "big")
    data = data[8:]
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("the client went away")
        data += chunk
    return json.loads(data), list(fds)


def _exit_code(exc):
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    sys.stderr.write("%s\n" % exc.code)
    return 1


def env_difference(imported_with, env):
    """The variables (sorted) whose value differs between the server's import environment and a run's."""
    keys = (set(imported_with) | set(env)) - SHELL_OWN
    return sorted(key for key in keys if imported_with.get(key) != env.get(key))


def _become(request):
    """Take the client's working directory and umask (its streams are already this process's)."""
    os.chdir(request["cwd"])
    os.umask(request["umask"])


def _run(request, base_path):
    """In the forked process: become the client's process (directory, umask, environment, argv, sys.path as a cold
    interpreter would compute it) and run its script as __main__. Returns the exit status."""
    _become(request)
    os.environ.clear()
    os.environ.update(request["env"])
    argv = request["argv"]
    extra = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    script_dir = os.path.dirname(os.path.realpath(argv[0])) if argv else ""
    sys.path[:] = [script_dir] + extra + base_path
    sys.argv[:] = argv or [""]
    try:
        if argv:
            runpy.run_path(argv[0], run_name="__main__")
        else:  # pipelining: the script comes on standard input
            source = sys.stdin.read()
            exec(compile(source, "<stdin>", "exec"), {"__name__": "__main__", "__builtins__": builtins})  # noqa: S102 pylint: disable=exec-used
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # pylint: disable=broad-exception-caught
        traceback.print_exc()
        code = 1
    threading._shutdown()  # pylint: disable=protected-access  # what interpreter exit does: join the module's threads
    atexit._run_exitfuncs()  # pylint: disable=protected-access
    return code


def _cold(request):
    """Become the client's process and execute a fresh interpreter on its argv (what `python SCRIPT` does)."""
    _become(request)
    os.execve(sys.executable, [sys.executable] + request["argv"], request["env"])


def _serve_one(conn, base_path, imported_with, log, cache):
    """In the forked handler: a second fork runs the script (so that its exit status, even from os._exit or a signal,
    is the process's own), warm when the run's environment is the one the server imported in, else cold; the
    handler waits for it and sends the status to the client."""
    request, fds = _receive(conn)
    differ = env_difference(imported_with, request["env"])
    with open(log, "a", encoding="utf-8") as handle:
        handle.write("%s %s%s\n" % ("cold" if differ else "warm", " ".join(request["argv"][:1]) or "<stdin>",
                                    " (the environment differs: %s)" % ", ".join(differ) if differ else ""))
    pid = os.fork()
    if pid == 0:
        conn.close()
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        if differ:
            _cold(request)
        use_cache(cache)
        code = 1
        try:
            code = _run(request, base_path)
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(code & 0xFF)  # pylint: disable=protected-access
    for fd in fds:
        os.close(fd)
    status = os.waitpid(pid, 0)[1]
    if os.WIFSIGNALED(status):
        conn.sendall(b"signal %d" % os.WTERMSIG(status))
    else:
        conn.sendall(b"%d" % os.waitstatus_to_exitcode(status))
    os._exit(0)  # pylint: disable=protected-access


def serve(path, modules, collections_path):
    imported_with = dict(os.environ)
    log = path + ".log"
    cache = preload(modules, collections_path)
    script_dir = os.path.dirname(os.path.realpath(__file__))
    inherited = set(entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry)
    base_path = [entry for entry in sys.path if entry != script_dir and entry not in inherited]
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    listener.settimeout(1.0)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        try:
            conn, _addr = listener.accept()
        except socket.timeout:
            continue
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            conn.settimeout(None)
            _serve_one(conn, base_path, imported_with, log, cache)
        conn.close()


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".collections")


def role_modules(repo=REPO, collections=COLLECTIONS):
    """The modules the roles run (oracle.oci's and this collection's), as importable names: what the server imports
    once, so that it holds every third-party package they import."""
    names = set()
    for root, _dirs, files in os.walk(os.path.join(repo, "roles")):
        for name in files:
            if name.endswith(".yml"):
                with open(os.path.join(root, name), encoding="utf-8") as handle:
                    names.update(re.findall(r"^\s*(oracle\.oci|eventstack\.oke)\.(\w+):", handle.read(), re.MULTILINE))
    found = []
    for collection, module in sorted(names):
        namespace, name = collection.split(".")
        if os.path.exists(os.path.join(collections, "ansible_collections", namespace, name, "plugins", "modules",
                                       module + ".py")):
            found.append("ansible_collections.%s.%s.plugins.modules.%s" % (namespace, name, module))
    return found


class WarmPython:
    """The server, started in directory `where` and environment `env` (default this process's) with
    `preload_modules` imported, and the client script for ansible_python_interpreter (`.interpreter`)."""

    @classmethod
    def for_the_roles(cls, where, env=None):
        """One that holds what the modules the roles run import."""
        return cls(where, role_modules(), COLLECTIONS, env=env)

    def __init__(self, where, preload_modules, collections_path, env=None):
        self.where = str(where)
        self.preload = list(preload_modules)
        self.collections_path = collections_path
        self.env = dict(os.environ if env is None else env)
        self.socket = os.path.join(self.where, "warm-python.sock")
        self.log = self.socket + ".log"
        self.interpreter = os.path.join(self.where, "warm-python")
        self.process = None

    def runs(self):
        """The log's lines: "warm <script>" or "cold <script> (the environment differs: ...)"."""
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8") as handle:
            return handle.read().splitlines()

    def __enter__(self):
        os.makedirs(self.where, exist_ok=True)
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, os.path.abspath(__file__), "serve", self.socket, self.collections_path, *self.preload],
            stdout=subprocess.PIPE, text=True, env=self.env)
        if self.process.stdout.readline().strip() != "ready":
            self.process.kill()
            raise RuntimeError("the warm python server did not start (its imports failed: see the output above)")
        with open(self.interpreter, "w", encoding="utf-8") as handle:
            handle.write(CLIENT.format(python=sys.executable, server=os.path.abspath(__file__), socket=self.socket))
        os.chmod(self.interpreter, 0o755)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process.stdout.close()


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "serve":
        sys.exit("usage: warm_python.py serve SOCKET COLLECTIONS_PATH [MODULE ...]")
    serve(sys.argv[2], sys.argv[4:], sys.argv[3])
