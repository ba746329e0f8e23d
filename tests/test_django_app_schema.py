"""AL304 on Django apps, from django-cms 5.1.3's shape (trimmed).

django-cms ships its schema as migrations (``cms/migrations/0001_initial.py``, ``Migration``
classes that ``manage.py migrate`` applies), yet AL304 fired on ``cms/utils/mptree.py``.  Two
causes: ``cms/utils/setup.py`` — a module of the ``cms.utils`` package (``validate_settings()``),
not a setuptools script — was taken for a project manifest, so ``cms/utils`` became a project of
its own that did not see ``cms/migrations/``; and the model there, ``MaterializedPathMixin``, is
abstract (``class Meta: abstract = True``), a base with no table for anything to create.
The look-alikes still fire: a Django project with concrete models, no migrations and no migrate
command."""

from __future__ import annotations

from archlint.domain.projects import projects_from
from helpers import make_repo, report

_MPTREE = '''
    from django.db import models


    class MaterializedPathMixin(models.Model):
        """Drop-in replacement base for treebeard's MP_Node."""

        path = models.CharField(max_length=255, unique=True)
        depth = models.PositiveIntegerField()
        numchild = models.PositiveIntegerField(default=0)

        class Meta:
            abstract = True

        def get_children(self):
            return type(self).objects.filter(path__startswith=self.path, depth=self.depth + 1)
'''

_SETUP_MODULE = '''
    from django.core.exceptions import ImproperlyConfigured
    from django.template import engines


    def validate_settings():
        if not engines.all():
            raise ImproperlyConfigured("django CMS requires a template engine")
'''

_PAGE = '''
    from django.db import models

    from cms.utils.mptree import MaterializedPathMixin


    class TreeNode(MaterializedPathMixin):
        site = models.IntegerField()


    class Page(models.Model):
        node = models.ForeignKey(TreeNode, on_delete=models.CASCADE)
        is_home = models.BooleanField(default=False)
'''

_MIGRATION = '''
    from django.db import migrations, models


    class Migration(migrations.Migration):
        initial = True
        dependencies = []
        operations = [
            migrations.CreateModel(name="Page", fields=[("id", models.AutoField(primary_key=True))]),
        ]
'''


def _app(tmp_path, *, migrations: bool, page: str = _PAGE, utils_model: str = _MPTREE):
    files = {
        "pyproject.toml": '[project]\nname = "django-cms"\ndependencies = ["Django>=4.2"]\n',
        "cms/__init__.py": "",
        "cms/models/__init__.py": "",
        "cms/models/pagemodel.py": page,
        "cms/utils/__init__.py": "",
        "cms/utils/setup.py": _SETUP_MODULE,
        "cms/utils/mptree.py": utils_model,
    }
    if migrations:
        files["cms/migrations/__init__.py"] = ""
        files["cms/migrations/0001_initial.py"] = _MIGRATION
    return make_repo(tmp_path, files)


def _al304(root):
    return [f for f in report(root).findings if f.rule == "AL304"]


def test_a_reusable_app_shipping_migrations_gets_no_al304(tmp_path):
    assert _al304(_app(tmp_path, migrations=True)) == []


def test_a_setup_module_inside_a_package_starts_no_project():
    paths = ["pyproject.toml", "cms/__init__.py", "cms/utils/__init__.py", "cms/utils/setup.py",
             "tools/setup.py", "tools/lib/__init__.py"]
    assert projects_from(paths).roots == ("", "tools")  # tools/setup.py: a setuptools script beside no __init__.py


def test_migrations_cover_a_concrete_model_beside_a_setup_module(tmp_path):
    # without the abstract base: only the setup.py fix keeps cms/utils/mptree.py in the app's project
    concrete = _MPTREE.replace("        class Meta:\n            abstract = True\n\n", "")
    assert _al304(_app(tmp_path, migrations=True, utils_model=concrete)) == []


def test_only_abstract_models_have_no_tables_to_create(tmp_path):
    page = '''
        from django.db import models


        class TimestampedModel(models.Model):
            created = models.DateTimeField(auto_now_add=True)

            class Meta:
                abstract = True
    '''
    assert _al304(_app(tmp_path, migrations=False, page=page)) == []


def test_look_alike_concrete_models_without_migrations_still_fire(tmp_path):
    al304 = _al304(_app(tmp_path, migrations=False))
    assert [(f.path, f.line) for f in al304] == [("cms/models/pagemodel.py", 6)]
    # TreeNode (its abstract base is in another module: the subclass is the table) and Page; not the abstract mixin
    assert al304[0].message.startswith("2 Django ORM model(s)"), al304[0].message


def test_models_deriving_from_an_abstract_base_in_another_module_fire(tmp_path):
    """An abstract base in one module (Django ``Meta.abstract``, SQLAlchemy ``__abstract__``) and every table
    deriving from it in another: the tables still need creating (before, the subclasses were not taken for models
    at all and the abstract base was skipped, so AL304 said nothing)."""
    page = '''
        from django.db import models

        from cms.utils.mptree import MaterializedPathMixin


        class TreeNode(MaterializedPathMixin):
            site = models.IntegerField()
    '''
    al304 = _al304(_app(tmp_path, migrations=False, page=page))
    assert [(f.path, f.line) for f in al304] == [("cms/models/pagemodel.py", 6)]
    assert al304[0].message.startswith("1 Django ORM model(s)"), al304[0].message


def test_sqlalchemy_tables_on_an_abstract_base_in_another_module_fire(tmp_path):
    root = make_repo(tmp_path, {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "app/__init__.py": "",
        "app/base.py": '''
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class TimestampedModel(Base):
                __abstract__ = True

                id: Mapped[int] = mapped_column(primary_key=True)
        ''',
        "app/models.py": '''
            from sqlalchemy.orm import Mapped

            from app.base import TimestampedModel


            class Article(TimestampedModel):
                __tablename__ = "articles"
                slug: Mapped[str]
        ''',
    })
    al304 = _al304(root)
    assert [(f.path, f.line) for f in al304] == [("app/models.py", 6)]
    assert al304[0].message.startswith("1 SQLAlchemy model(s)"), al304[0].message
    (root / "app" / "main.py").write_text(
        "from sqlalchemy import create_engine\n\nfrom app.base import Base\n\n"
        "engine = create_engine(\"sqlite:///app.db\")\nBase.metadata.create_all(engine)\n")
    assert _al304(root) == []  # the look-alike: the app creates them
