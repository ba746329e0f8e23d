"""What every check receives: the facts of the whole project, already connected.

Checks are pure functions of this context; they never read files, parse, or resolve imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archlint.domain.config import Config
from archlint.domain.facts import FileFacts
from archlint.domain.graph import ModuleGraph
from archlint.domain.knowledge import Knowledge
from archlint.domain.layers import Architecture, Layer
from archlint.domain.manifest import Manifest
from archlint.domain.projects import Projects
from archlint.domain.rules import Registry

if TYPE_CHECKING:  # the data layer's module is imported when a rule first needs it, not by every run
    from archlint.domain.contract import ApiSpec
    from archlint.domain.datalayer import DataLayer


@dataclass(slots=True)
class CheckContext:
    """Everything a check reads: facts, graph, manifest, knowledge and the semantic model."""
    root: str
    files: dict[str, FileFacts]
    graph: ModuleGraph
    manifest: Manifest
    registry: Registry
    knowledge: Knowledge
    config: Config
    architecture: Architecture | None = None
    layer_of: dict[str, Layer | None] = field(default_factory=dict)
    composition_roots: frozenset[str] = frozenset()
    setup_modules: frozenset[str] = frozenset()  # the ORM's setup in a plain db/ directory (Architecture.is_setup_module)
    config_path: str = ""  # config file relative to root ("" if none or outside)
    deep: frozenset[str] | None = None  # the data-layer files the pipeline planned (None: find them)
    bodies: frozenset[str] | None = None  # every file whose body the plan extracted (None: no plan)
    semantic: tuple[str, ...] | None = None  # the files the semantic model starts from (None: find them)
    projects: Projects = field(default_factory=Projects)  # the tree split by its manifests
    _datalayer: DataLayer | None = None
    program_factory: object = None  # () -> the semantic model (archlint.semantics.program.Program)
    _program: object = None
    datalayer_factory: object = None  # () -> DataLayer with access sites typed by the semantic model
    api_spec: ApiSpec | None = None  # the OpenAPI contract given by --openapi / `openapi =` (None: none given)
    rules: frozenset[str] | None = None  # the selected rules (None: every rule)
    _project_files: dict[str, dict[str, FileFacts]] | None = None
    _file_positions: dict[str, int] | None = None

    @property
    def datalayer(self) -> DataLayer:
        """DB handles, access sites and ORM models — computed once, on first use, only for
        files with data-layer signals (their fact bodies are unpickled only then).  The pipeline
        installs a factory that takes the access sites and DB handles from the semantic model."""
        if self._datalayer is None:
            if self.datalayer_factory is not None:
                self._datalayer = self.datalayer_factory()
            else:
                self._datalayer = self.legacy_datalayer()
        return self._datalayer

    def legacy_datalayer(self, sites: bool = True) -> DataLayer:
        """The fact-based data layer (ORM models by name, module-level handles) the semantic
        model's data layer extends; ``sites=False``: without the fact-based access sites and
        constructs, which the semantic model replaces."""
        from archlint.domain.datalayer import analyse

        return analyse(self.files, self.graph, self.knowledge, self.deep, sites)

    @property
    def program(self):
        """The semantic model (IR, symbols, values, summaries) of the files that need deep
        analysis — built once, on first use, by the factory the pipeline installs."""
        if self._program is None and self.program_factory is not None:
            self._program = self.program_factory()
        return self._program

    def release_model(self) -> None:
        """Forget the semantic model and the data layer for good (no factory rebuilds them): the
        run's findings are made and nothing reads them again.  The model's tables are cleared in
        place, so what they hold is freed although the collector is paused during a run (the
        saleor-sized tree: ~100 MiB of analyses, summaries and indexes, freed before the cache's
        save instead of sitting under it)."""
        program, self._program, self._datalayer = self._program, None, None
        self.program_factory = self.datalayer_factory = None
        if program is not None:
            vars(program).clear()

    def selected(self, rule: str) -> bool:
        """Whether ``rule`` is selected: a family whose rules read different analyses skips the
        part of an unselected rule (its findings would be dropped, and what it reads not built)."""
        return self.rules is None or rule in self.rules

    def project_files(self, project: str) -> dict[str, FileFacts]:
        """The files of ``project`` alone (``projects.of(path) == project``), in ``files`` order;
        grouped once, so a check looping over the projects of a large tree stays linear."""
        if self._project_files is None:
            groups: dict[str, dict[str, FileFacts]] = {}
            for path, facts in self.files.items():
                groups.setdefault(self.projects.of(path), {})[path] = facts
            self._project_files = groups
        return self._project_files.get(project, {})

    def visible_files(self, project: str) -> dict[str, FileFacts]:
        """The files ``project`` sees (``projects.sees(project, path)``: its own and those of the
        projects it is nested in), in ``files`` order."""
        owners = self.projects.visible(project)
        if len(owners) == 1:
            return self.project_files(owners[0])
        if self._file_positions is None:
            self._file_positions = {path: index for index, path in enumerate(self.files)}
        paths = sorted((path for owner in owners for path in self.project_files(owner)), key=self._file_positions.__getitem__)
        return {path: self.files[path] for path in paths}

    def layer(self, path: str) -> Layer | None:
        """Layer of a file or namespace-package node (``dir/``); None for unlayered/roots."""
        if path in self.layer_of:
            return self.layer_of[path]
        if self.architecture is None:
            return None
        layer = self.architecture.assign(path)
        self.layer_of[path] = layer
        return layer
