"""Django models on a package's abstract base (pulpcore's ``BaseModel(django_lifecycle.LifecycleModel)``
declaring ``models.UUIDField`` / ``models.ForeignKey``) are models: per-row lazy loads through them are
judged.  A module-level singleton filled on first use (``global DEFAULT; if DEFAULT is None: …
.get()/.save()``) runs once per process: not a write of every validation (AL226), not a failure of every
async request (AL233) — the same write without the memo still is."""

from __future__ import annotations

from helpers import make_repo, report

FILES = {
    "requirements.txt": "Django==5.1\ndjangorestframework==3.15\ndjango-lifecycle==1.2\n",
    "core/__init__.py": "",
    "core/models.py": '''
        from django.db import models
        from django_lifecycle import LifecycleModel


        class BaseModel(LifecycleModel):
            pulp_created = models.DateTimeField(auto_now_add=True)

            class Meta:
                abstract = True


        class Domain(BaseModel):
            name = models.TextField(unique=True)


        class Repository(BaseModel):
            name = models.TextField()
            domain = models.ForeignKey(Domain, on_delete=models.CASCADE)
    ''',
    "core/util.py": '''
        from core.models import Domain

        default_domain = None


        def get_default_domain():
            global default_domain
            if default_domain is None:
                try:
                    default_domain = Domain.objects.get(name="default")
                except Domain.DoesNotExist:
                    default_domain = Domain(name="default")
                    default_domain.save()
            return default_domain


        def make_domain(name):
            domain = Domain(name=name)
            domain.save()
            return domain
    ''',
    "core/serializers.py": '''
        from rest_framework import serializers

        from core.models import Repository
        from core.util import get_default_domain, make_domain


        class RepositorySerializer(serializers.ModelSerializer):
            class Meta:
                model = Repository
                fields = ["name"]

            def validate(self, data):
                data["domain"] = get_default_domain()
                return data


        class EagerSerializer(serializers.ModelSerializer):
            class Meta:
                model = Repository
                fields = ["name"]

            def validate(self, data):
                data["domain"] = make_domain(data["name"])
                return data
    ''',
    "core/views.py": '''
        from django.http import JsonResponse

        from core.models import Repository
        from core.util import get_default_domain


        def repositories(request):
            return JsonResponse({"repos": [{"name": r.name, "domain": r.domain.name} for r in Repository.objects.all()]})


        async def default_name(request):
            return JsonResponse({"name": get_default_domain().name})
    ''',
}


def test_package_based_models_are_typed_and_process_singletons_are_not_per_request(tmp_path):
    root = make_repo(tmp_path, FILES)
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule in ("AL226", "AL233", "AL601", "AL603"))
    assert found == [
        ("AL226", "core/serializers.py", 23),  # make_domain() writes on every validation
        ("AL603", "core/views.py", 8),  # r.domain per repository
    ]
