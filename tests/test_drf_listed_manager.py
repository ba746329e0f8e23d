"""DRF's ListSerializer calls ``.all()`` on a Django manager it is given (``DraftSerializer(task.drafts,
many=True)``): rendering it is a queryset of the relation, not a manager iterated.  Found on label-studio
(``data_manager/serializers.py`` / ``tasks/serializers.py`` drafts fields, whose ``drafts`` is ``task.drafts`` or, with a
request, ``task.drafts.filter(user=…)``): two false AL224 once ``isinstance(task, Task)`` typed ``task`` as a row.
Iterating the manager in the project's own code still raises TypeError and stays AL224."""

from __future__ import annotations

from helpers import findings, make_repo

FILES = {
    'app/__init__.py': '',
    'app/models.py': 'from django.conf import settings\nfrom django.db import models\n\n\nclass Task(models.Model):\n    title = models.TextField()\n\n\nclass Draft(models.Model):\n    task = models.ForeignKey(Task, related_name="drafts", on_delete=models.CASCADE)\n    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n    result = models.JSONField()\n',
    'app/serializers.py': 'from rest_framework import serializers\n\nfrom app.models import Draft, Task\n\n\nclass DraftSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Draft\n        fields = ["id", "result"]\n\n\nclass TaskSerializer(serializers.ModelSerializer):\n    drafts = serializers.SerializerMethodField()\n\n    class Meta:\n        model = Task\n        fields = ["id", "title", "drafts"]\n\n    def get_drafts_serializer(self):\n        return DraftSerializer\n\n    def get_drafts(self, task):\n        if not isinstance(task, Task):\n            return DraftSerializer(many=True)\n        drafts = task.drafts\n        if "request" in self.context and hasattr(self.context["request"], "user"):\n            drafts = drafts.filter(user=self.context["request"].user)\n        serializer_class = self.get_drafts_serializer()\n        return serializer_class(drafts, many=True, read_only=True, context=self.context).data\n\n\nclass PlainTaskSerializer(serializers.ModelSerializer):\n    drafts = serializers.SerializerMethodField()\n\n    class Meta:\n        model = Task\n        fields = ["id", "title", "drafts"]\n\n    def get_drafts(self, task):\n        return DraftSerializer(task.drafts, many=True, read_only=True).data\n\n\nclass DraftIdsSerializer(serializers.ModelSerializer):\n    draft_ids = serializers.SerializerMethodField()\n\n    class Meta:\n        model = Task\n        fields = ["id", "draft_ids"]\n\n    def get_draft_ids(self, task):\n        if not isinstance(task, Task):\n            return []\n        return [draft.id for draft in task.drafts]\n',
    'app/urls.py': 'from django.urls import path\n\nfrom app.views import DraftIds, PlainTaskDetail, TaskDetail\n\nurlpatterns = [path("tasks/<int:pk>", TaskDetail.as_view()), path("plain/<int:pk>", PlainTaskDetail.as_view()), path("ids/<int:pk>", DraftIds.as_view())]\n',
    'app/views.py': 'from rest_framework import generics\n\nfrom app.models import Task\nfrom app.serializers import DraftIdsSerializer, PlainTaskSerializer, TaskSerializer\n\n\nclass TaskDetail(generics.RetrieveAPIView):\n    queryset = Task.objects.all()\n    serializer_class = TaskSerializer\n\n\nclass PlainTaskDetail(generics.RetrieveAPIView):\n    queryset = Task.objects.all()\n    serializer_class = PlainTaskSerializer\n\n\nclass DraftIds(generics.RetrieveAPIView):\n    queryset = Task.objects.all()\n    serializer_class = DraftIdsSerializer\n',
    'requirements.txt': 'django==5.2\ndjangorestframework==3.15\n',
}


def test_a_manager_given_to_a_list_serializer_is_its_queryset_but_iterating_it_is_al224(tmp_path):
    root = make_repo(tmp_path, FILES)
    assert [f for f in findings(root) if f[0] == "AL224"] == [("AL224", "app/serializers.py", 53)]
