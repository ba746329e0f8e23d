"""Output must not depend on the per-process string hash (``PYTHONHASHSEED``).

A value the model knows only as one of a few alternatives (a helper returning one of two device models,
a loop over a query built two ways) used to keep its alternatives in a frozenset: the alternative a rule
read first — the model named in an AL305 finding, the queries an AL601 finding lists — followed the set's
iteration order, which differs between interpreter processes (pretix: ``delete`` on WebAuthnDevice in one
run, on U2FDevice in the next).  Each program below runs in fresh interpreters with different seeds; the
JSON reports (minus timing) must be identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import make_repo

SEEDS = ("0", "1", "2", "3", "5", "8")

APP = {
    "manage.py": (
        "import os\nimport sys\n\n"
        "if __name__ == '__main__':\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
        "    from django.core.management import execute_from_command_line\n"
        "    execute_from_command_line(sys.argv)\n"
    ),
    "requirements.txt": "Django>=4.2\npsycopg2>=2.9\n",
    "site/__init__.py": "",
    "site/settings.py": (
        "INSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes', 'devices']\n"
        "ROOT_URLCONF = 'site.urls'\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'devices'}}\n"
    ),
    "site/urls.py": "from django.urls import include, path\n\nurlpatterns = [path('', include('devices.urls'))]\n",
    "devices/__init__.py": "",
    "devices/migrations/__init__.py": "",
    "devices/models.py": (
        "from django.db import models\n\n\n"
        "class KeyDevice(models.Model):\n"
        "    user_id = models.IntegerField()\n"
        "    name = models.CharField(max_length=100)\n\n\n"
        "class PhoneDevice(models.Model):\n"
        "    user_id = models.IntegerField()\n"
        "    name = models.CharField(max_length=100)\n\n\n"
        "class TokenDevice(models.Model):\n"
        "    user_id = models.IntegerField()\n"
        "    name = models.CharField(max_length=100)\n\n\n"
        "class AuditEntry(models.Model):\n"
        "    user_id = models.IntegerField()\n"
        "    action = models.CharField(max_length=100)\n"
    ),
    # which device model the helper returns depends on the URL: the write is on one of three models
    "devices/views.py": (
        "from django.http import JsonResponse\n"
        "from django.shortcuts import get_object_or_404\n"
        "from django.views.decorators.http import require_http_methods\n\n"
        "from devices.models import AuditEntry, KeyDevice, PhoneDevice, TokenDevice\n\n\n"
        "def _device(request, kind, pk):\n"
        "    if kind == 'key':\n"
        "        return get_object_or_404(KeyDevice, user_id=request.user.id, pk=pk)\n"
        "    if kind == 'token':\n"
        "        return get_object_or_404(TokenDevice, user_id=request.user.id, pk=pk)\n"
        "    return get_object_or_404(PhoneDevice, user_id=request.user.id, pk=pk)\n\n\n"
        "@require_http_methods(['POST'])\n"
        "def remove_device(request, kind, pk):\n"
        "    device = _device(request, kind, pk)\n"
        "    AuditEntry.objects.create(user_id=request.user.id, action='removed')\n"
        "    device.delete()\n"
        "    return JsonResponse({}, status=204)\n"
    ),
    "devices/urls.py": (
        "from django.urls import path\n\nfrom devices import views\n\n"
        "urlpatterns = [path('devices/<str:kind>/<int:pk>/delete', views.remove_device)]\n"
    ),
}


def _report(root, seed: str) -> dict:
    env = dict(os.environ, NO_COLOR="1", PYTHONHASHSEED=seed)
    result = subprocess.run([sys.executable, "-m", "archlint", "check", ".", "--format", "json", "--no-cache"],
                            capture_output=True, text=True, cwd=root, env=env, timeout=600)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report = json.loads(result.stdout)
    report["stats"] = {k: v for k, v in report["stats"].items() if k != "seconds"}
    return report


def test_the_alternative_a_finding_names_does_not_follow_the_hash_seed(tmp_path):
    root = make_repo(tmp_path / "repo", APP)
    reports = {seed: _report(root, seed) for seed in SEEDS}
    first = reports[SEEDS[0]]
    writes = [f for f in first["findings"] if f["rule"] == "AL305"]
    assert len(writes) == 1 and writes[0]["path"] == "devices/views.py", first["findings"]
    assert "`delete` on" in writes[0]["message"]
    for seed, report in reports.items():
        assert report == first, f"PYTHONHASHSEED={seed} differs from PYTHONHASHSEED={SEEDS[0]}"


def test_a_union_lists_its_alternatives_in_one_order_whichever_joined_first():
    from archlint.semantics import values as v

    rows = [v.Row("django", f"devices:{name}", frozenset({"owner", "events"})) for name in ("Phone", "Key", "Token")]
    forward = v.join(v.join(rows[0], rows[1]), rows[2])
    backward = v.join(rows[2], v.join(rows[1], rows[0]))
    assert forward == backward
    assert [o.model for o in v.options(forward)] == ["devices:Key", "devices:Phone", "devices:Token"]
