"""Django's settings-driven classes: `UserSerializer = load_func(settings.USER_SERIALIZER)` resolves
through the settings module's text and `import_string` to the project class, so the serializer's
per-row reads are judged (label-studio's idiom).  Look-alikes: a memo on the serializer
(`getattr(self, "_project", None)` … `setattr`) and a loop over chunks of ids (`filter(id__in=chunk)`)."""

from __future__ import annotations

from helpers import make_repo, report

FILES = {
    "requirements.txt": "Django==5.1\ndjangorestframework==3.15\n",
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.base")\n',
    "core/__init__.py": "",
    "core/settings/__init__.py": "",
    "core/settings/base.py": '''
        ROOT_URLCONF = "core.urls"
        INSTALLED_APPS = ["users"]
        USER_SERIALIZER = "users.serializers.BaseUserSerializer"
    ''',
    "core/utils.py": '''
        from django.utils.module_loading import import_string


        def load_func(func_string):
            if func_string is None:
                return None
            elif isinstance(func_string, str):
                return import_string(func_string)
            return func_string


        def batch(items, size):
            for start in range(0, len(items), size):
                yield items[start:start + size]
    ''',
    "users/__init__.py": "",
    "users/migrations/__init__.py": "",
    "users/models.py": '''
        from django.db import models


        class Organization(models.Model):
            title = models.CharField(max_length=100)


        class User(models.Model):
            email = models.EmailField()
            organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    ''',
    "users/serializers.py": '''
        from django.conf import settings
        from rest_framework import serializers

        from core.utils import load_func
        from users.models import User


        class BaseUserSerializer(serializers.ModelSerializer):
            organization = serializers.SerializerMethodField()

            def get_organization(self, user):
                return user.organization.title

            class Meta:
                model = User
                fields = ["id", "email", "organization"]


        class MemoUserSerializer(serializers.ModelSerializer):
            organization = serializers.SerializerMethodField()

            def get_organization(self, user):
                organization = getattr(self, "_organization", None)
                if organization is None:
                    organization = user.organization
                    setattr(self, "_organization", organization)
                return organization.title

            class Meta:
                model = User
                fields = ["id", "organization"]


        UserSerializer = load_func(settings.USER_SERIALIZER)
    ''',
    "users/views.py": '''
        from rest_framework import generics
        from rest_framework.response import Response
        from rest_framework.views import APIView

        from core.utils import batch
        from users.models import User
        from users.serializers import MemoUserSerializer, UserSerializer


        class UserList(generics.ListAPIView):
            queryset = User.objects.all()
            serializer_class = UserSerializer


        class OrganizationUsers(generics.ListAPIView):
            queryset = User.objects.filter(organization_id=1)
            serializer_class = MemoUserSerializer


        class Export(APIView):
            def get(self, request):
                ids = list(User.objects.values_list("id", flat=True))
                rows = []
                for chunk in batch(ids, 1000):
                    rows += [user.email for user in User.objects.filter(id__in=chunk)]
                return Response(rows)
    ''',
    "core/urls.py": '''
        from django.urls import path

        from users.views import Export, OrganizationUsers, UserList

        urlpatterns = [
            path("api/users/", UserList.as_view()),
            path("api/org-users/", OrganizationUsers.as_view()),
            path("api/export/", Export.as_view()),
        ]
    ''',
}


def test_a_serializer_named_by_a_setting_is_resolved_and_its_look_alikes_stay_silent(tmp_path):
    root = make_repo(tmp_path, FILES)
    found = sorted((f.rule, f.path, f.line) for f in report(root).findings if f.rule in ("AL601", "AL603"))
    assert found == [("AL603", "users/views.py", 11)]  # UserList through the setting; not the memo, not the chunks
