"""Third-party Django relation fields: django-taggit's ``TaggableManager``, wagtail/modelcluster's
``ClusterTaggableManager`` and Django's ``GenericRelation`` (django.contrib.contenttypes).

Each is a related manager over rows of another table (taggit: ``taggit.Tag`` through ``TaggedItem``, a
model archlint reads no class of): ``page.tags.all()`` per row of a list queries once per row unless the
list's queryset ran ``prefetch_related("tags")`` (taggit's ``_TaggableManager.get_queryset`` and Django's
generic related manager answer the prefetch cache).  taggit's ``names()`` / ``slugs()`` are
``get_queryset().values_list(…)``: a clone of the prefetched queryset, a query again — AL601 even after
the prefetch (unless a project ``manager=`` class defines its own).  Look-alikes: a project class that happens to be called ``TaggableManager``, and
``TaggableManager("Topic")`` whose first argument is the verbose name, not a model."""

from __future__ import annotations

from helpers import make_repo, report

_MODELS = '''
    from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
    from django.contrib.contenttypes.models import ContentType
    from django.db import models
    from modelcluster.contrib.taggit import ClusterTaggableManager
    from modelcluster.fields import ParentalKey
    from modelcluster.models import ClusterableModel
    from taggit.managers import TaggableManager, _TaggableManager
    from taggit.models import TaggedItemBase


    class Note(models.Model):
        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
        object_id = models.PositiveIntegerField()
        target = GenericForeignKey("content_type", "object_id")
        text = models.TextField()


    class Topic(models.Model):
        name = models.CharField(max_length=50)


    class PageTag(TaggedItemBase):
        content_object = ParentalKey("Page", related_name="tagged_items", on_delete=models.CASCADE)


    class Page(ClusterableModel):
        title = models.CharField(max_length=200)
        tags = ClusterTaggableManager(through=PageTag, blank=True)
        notes = GenericRelation(Note)


    class Photo(models.Model):
        caption = models.CharField(max_length=200)
        tags = TaggableManager("Topic", blank=True)


    class CachedNames(_TaggableManager):
        def names(self):
            return [tag.name for tag in self.all()]


    class Clip(models.Model):
        tags = TaggableManager(blank=True, manager=CachedNames)
'''

_VIEWS = '''
    from django.http import JsonResponse

    from site_app.models import Clip, Page, Photo


    def pages(request):
        return JsonResponse({"pages": [{"title": p.title, "tags": [t.name for t in p.tags.all()]} for p in Page.objects.all()]})


    def page_notes(request):
        return JsonResponse({"pages": [[n.text for n in p.notes.all()] for p in Page.objects.all()]})


    def photo_slugs(request):
        return JsonResponse({"photos": [list(p.tags.slugs()) for p in Photo.objects.prefetch_related("tags")]})


    def prefetched_pages(request):
        pages = Page.objects.prefetch_related("tags", "notes")
        return JsonResponse({"pages": [{"tags": [t.name for t in p.tags.all()], "notes": [n.text for n in p.notes.all()]} for p in pages]})


    def clip_names(request):
        return JsonResponse({"clips": [list(c.tags.names()) for c in Clip.objects.prefetch_related("tags")]})


    def one_photo(request, pk):
        return JsonResponse({"tags": list(Photo.objects.get(pk=pk).tags.names())})
'''

_LOOKALIKE = '''
    from django.db import models


    class TaggableManager:
        """A project helper that keeps labels in memory: no relation."""

        def __init__(self, *labels):
            self.labels = list(labels)

        def all(self):
            return list(self.labels)


    class Album(models.Model):
        title = models.CharField(max_length=200)
        tags = TaggableManager("a", "b")
'''

_LOOKALIKE_VIEWS = '''
    from django.http import JsonResponse

    from site_app.labels import Album


    def albums(request):
        return JsonResponse({"albums": [[t for t in a.tags.all()] for a in Album.objects.all()]})
'''


def _repo(tmp_path, files):
    base = {"site_app/__init__.py": "", "site_app/migrations/__init__.py": "", "site_app/models.py": _MODELS}
    return make_repo(tmp_path, base | files)


def test_taggit_and_generic_relations_load_per_row_unless_prefetched(tmp_path):
    result = report(_repo(tmp_path, {"site_app/views.py": _VIEWS}))
    found = sorted((f.rule, f.line) for f in result.findings if f.path == "site_app/views.py")
    assert found == [
        ("AL601", 7),  # p.tags.all() per page: ClusterTaggableManager, no prefetch
        ("AL601", 11),  # p.notes.all() per page: GenericRelation, no prefetch
        ("AL601", 15),  # p.tags.slugs() per photo: values_list of the prefetched queryset queries again
    ]
    slugs = next(f for f in result.findings if f.path == "site_app/views.py" and f.line == 15)
    assert "`tags.slugs()` query through the related manager `tags` (run even when `tags` is prefetched)" in slugs.message
    assert "[t.slug for t in obj.tags.all()]" in slugs.guidance
    schema = result.context.program.schema
    page = schema.models["site_app/models.py:Page"]
    assert page.relations["tags"].collection and page.relations["notes"].collection
    assert "tags_id" not in page.columns and "notes_id" not in page.columns
    photo = schema.models["site_app/models.py:Photo"].relations["tags"]
    assert photo.target == ""  # "Topic" is TaggableManager's verbose_name, not its model
    assert "photo_set" not in schema.models["site_app/models.py:Topic"].relations


def test_a_project_class_named_taggable_manager_is_no_relation(tmp_path):
    result = report(_repo(tmp_path, {"site_app/labels.py": _LOOKALIKE, "site_app/views.py": _LOOKALIKE_VIEWS}))
    assert [(f.rule, f.line) for f in result.findings if f.path == "site_app/views.py"] == []
    assert "tags" not in result.context.program.schema.models["site_app/labels.py:Album"].relations
