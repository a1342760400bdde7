#!/usr/bin/env python3
"""Static checks of an Odoo addon that must install on Odoo 17.0, 18.0 and 19.0
from one code base. Needs only the Python 3 standard library (no Odoo).

    python3 test/odoo-addon/check_addon.py odoo/game_server_status

Lists every problem found as ``path:line: message`` and exits 1 if there is
any, 0 otherwise. What it checks:

* every .py file compiles; every module of a package (models/, tests/) is
  loaded: imported by its __init__.py or by a module that is;
* ``__manifest__.py`` is a literal dict with the required keys, a version
  without series prefix, and ``data`` files that exist, in load order;
* every .xml file parses; data files use only known top-level tags;
* view archs name only fields of their model (fields read from the Python
  sources with ``ast``), and modifiers (invisible, readonly, decoration-*, ...)
  only use fields present in the view (Odoo 17+ requires it); an inherited
  view of a model the addon only extends (e.g. res.config.settings) names only
  fields the addon adds;
* search filters' domains and group_by use existing fields;
* references (``ref="..."``, ``ref('...')``, ``groups="..."``, button
  ``%(xml_id)d``) resolve to an xml id defined earlier in load order, or to a
  module in ``depends``; ``<function>`` calls a method the model has;
* every model in ``ir.model.access.csv`` is defined by the addon;
* ir.cron records set interval_number and interval_type;
* series portability:
  - no list view (``<tree>``/``<list>``, also inline in another view) in XML
    data: 17 accepts only ``<tree>``, 18+ only ``<list>``;
  - window actions never name 'tree' in ``view_mode`` (18+ do not know it;
    'list' works on 17 too, whose get_views maps it to 'tree'), and every
    model whose list they open has both list hooks ``_get_default_tree_view``
    (17) and ``_get_default_list_view`` (18+), each building its arch from a
    module-level ``*LIST_VIEW_ARCH`` constant of its file (root ``list``),
    renamed 'tree' / 'list' respectively; a ``_get_default_kanban_view`` hook
    builds from a ``*KANBAN_VIEW_ARCH`` constant with a 'card' template; those
    archs are checked like the XML ones;
  - kanban views in XML data define both 'kanban-box' (17) and 'card' (19);
  - forms use ``<chatter/>`` (18+), never 17's ``div.oe_chatter``, and the
    model has a ``_get_view`` that rewrites it for 17;
  - no field that exists only on some series (res.groups category_id / users /
    user_ids / privilege_id, res.users groups_id / group_ids, ir.cron
    numbercall / doall), no attrs= / states= (removed in 17);
  - Python: no ``_sql_constraints`` (ignored on 19), no ``models.Constraint``
    / ``Index`` / ``UniqueIndex`` (missing on 17/18), no ``aggregator=``
    (ignored on 17), no ``self._cr`` / ``_uid`` / ``_context`` (deprecated in
    19), no public ``read_group`` calls (deprecated in 19), no ``name_get``.
"""
import ast
import csv
import os
import py_compile
import re
import sys
import tempfile
import xml.etree.ElementTree as ET
from xml.parsers import expat

MAGIC_FIELDS = {'id', 'display_name', 'create_uid', 'create_date', 'write_uid', 'write_date'}
#: Names a view expression may use besides the view's fields.
EXPR_GLOBALS = {
    'True', 'False', 'None', 'context', 'uid', 'parent', 'today', 'now', 'current_date',
    'context_today', 'relativedelta', 'datetime', 'time', 'id', 'active_id', 'active_ids',
    'allowed_company_ids', 'current_company_id', 'companies',
}
MODIFIER_ATTRS = ('invisible', 'readonly', 'required', 'column_invisible')
DATA_TAGS = {'record', 'menuitem', 'template', 'function', 'delete', 'data'}
#: model -> {field: why it is not portable}
SERIES_ONLY_FIELDS = {
    'res.groups': {
        'category_id': 'removed in 19 (privilege_id there)',
        'privilege_id': 'only on 19',
        'users': 'renamed user_ids in 19',
        'user_ids': 'only on 19 (users on 17/18)',
    },
    'res.users': {
        'groups_id': 'renamed group_ids in 19',
        'group_ids': 'only on 19 (groups_id on 17/18)',
    },
    'ir.cron': {
        'numbercall': 'removed in 18',
        'doall': 'removed in 18',
    },
}
ACCESS_HEADER = ['id', 'name', 'model_id:id', 'group_id:id', 'perm_read', 'perm_write', 'perm_create', 'perm_unlink']
LIST_HOOKS = {'_get_default_tree_view': 'tree', '_get_default_list_view': 'list'}
#: A module-level function of the file that returns both LIST_HOOKS for one arch, assigned in a
#: model's class body: its inner functions are checked as the hooks.
HOOK_FACTORY = 'list_view_hooks'
REF_CALL_RE = re.compile(r"""\bref\(\s*['"]([\w.]+)['"]\s*\)""")


class Checker:
    def __init__(self, addon):
        self.addon = os.path.abspath(addon)
        self.module = os.path.basename(self.addon.rstrip(os.sep))
        self.problems = []
        self.models = {}        # model name -> {'fields': {name: line}, 'methods': {name: node}, 'defined': path}
        self.py_trees = {}      # path -> ast.Module
        self.defined_ids = []   # xml ids in load order (unqualified, this module)
        self.depends = {'base'}

    # -- reporting -----------------------------------------------------------

    def rel(self, path):
        return os.path.relpath(path, os.getcwd())

    def problem(self, path, line, message):
        where = self.rel(path) + (':%s' % line if line else '')
        self.problems.append('%s: %s' % (where, message))

    # -- Python --------------------------------------------------------------

    def python_files(self):
        for root, dirs, files in os.walk(self.addon):
            dirs[:] = sorted(d for d in dirs if not d.startswith('.') and d != '__pycache__')
            for name in sorted(files):
                if name.endswith('.py'):
                    yield os.path.join(root, name)

    def check_python(self):
        with tempfile.TemporaryDirectory() as tmp:
            for i, path in enumerate(self.python_files()):
                try:
                    py_compile.compile(path, cfile=os.path.join(tmp, '%d.pyc' % i), doraise=True)
                except py_compile.PyCompileError as exc:
                    self.problem(path, None, 'does not compile: %s' % exc.msg.strip())
                    continue
                with open(path, encoding='utf-8') as f:
                    self.py_trees[path] = ast.parse(f.read(), path)
        for path, tree in self.py_trees.items():
            self.collect_models(path, tree)
            self.check_python_portability(path, tree)
        self.inherit_from_parents()
        for package in ('models', 'tests', 'controllers', 'wizard', 'wizards'):
            self.check_package_imports(os.path.join(self.addon, package))
        if os.path.isdir(os.path.join(self.addon, 'models')):
            self.check_package_imports(self.addon, only=('models',))

    def check_package_imports(self, folder, only=None):
        """Every module of the package is loaded: imported by __init__.py, or by a module it loads."""
        init = os.path.join(folder, '__init__.py')
        if not os.path.isdir(folder):
            return
        if not os.path.isfile(init):
            self.problem(folder, None, 'package has no __init__.py')
            return
        if only is not None:
            names = only
        else:
            names = [n[:-3] for n in os.listdir(folder) if n.endswith('.py') and n != '__init__.py']
        loaded = set()
        pending = [init]
        while pending:
            for name in self.relative_imports(pending.pop()):
                module = os.path.join(folder, name + '.py')
                if name not in loaded and module in self.py_trees:
                    loaded.add(name)
                    pending.append(module)
                elif os.path.isdir(os.path.join(folder, name)):
                    loaded.add(name)
        for name in sorted(names):
            if name not in loaded:
                self.problem(init, None, '%r is not imported, Odoo would never load it' % name)

    def relative_imports(self, path):
        """Names of sibling modules that a module imports (``from . import x``, ``from .x import y``)."""
        names = set()
        for node in ast.walk(self.py_trees.get(path) or ast.parse('')):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    names.add(node.module.split('.')[0])
                else:
                    names.update(alias.name for alias in node.names)
        return names

    @staticmethod
    def const_str(node):
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    def collect_models(self, path, tree):
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            attrs = {}
            fields, methods = {}, {}
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    target = stmt.targets[0].id
                    value = stmt.value
                    if target in ('_name', '_inherit'):
                        attrs[target] = self.const_str(value) or (
                            [self.const_str(e) for e in value.elts] if isinstance(value, (ast.List, ast.Tuple)) else None)
                    elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                          and isinstance(value.func.value, ast.Name) and value.func.value.id == 'fields'):
                        fields[target] = stmt.lineno
                elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    methods[stmt.name] = stmt
                if self.hook_factory_call(stmt):
                    # `_get_default_tree_view, _get_default_list_view = list_view_hooks(ARCH)`
                    for target in stmt.targets[0].elts:
                        if isinstance(target, ast.Name):
                            methods[target.id] = stmt
            name = attrs.get('_name')
            inherit = attrs.get('_inherit')
            if not name and isinstance(inherit, str):
                name = inherit
            if not isinstance(name, str):
                continue
            model = self.models.setdefault(name, {'fields': {}, 'methods': {}, 'defined': None, 'files': set(),
                                                   'parents': []})
            if attrs.get('_name'):
                model['defined'] = path
                model['abstract'] = any(isinstance(base, ast.Attribute) and base.attr == 'AbstractModel'
                                        for base in cls.bases)
                # A new model inheriting others (a mixin of this addon) gets their fields and methods.
                parents = [inherit] if isinstance(inherit, str) else inherit or []
                model['parents'] = [parent for parent in parents if parent and parent != name]
            model['fields'].update(fields)
            model['files'].add(path)
            for mname, node in methods.items():
                model['methods'][mname] = (path, node)

    def inherit_from_parents(self):
        """Copy the fields and methods of this addon's parent models (mixins) into their children;
        a parent from another module (mail.thread, ...) brings nothing the checks look at."""
        def resolve(name, seen):
            info = self.models[name]
            for parent in info['parents']:
                if parent in self.models and parent not in seen:
                    resolve(parent, seen | {parent})
                    inherited = self.models[parent]
                    info['fields'] = {**inherited['fields'], **info['fields']}
                    info['methods'] = {**inherited['methods'], **info['methods']}
        for name in list(self.models):
            resolve(name, {name})

    def check_python_portability(self, path, tree):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == '_sql_constraints'
                                                            for t in stmt.targets)):
                        self.problem(path, stmt.lineno, '_sql_constraints is silently ignored on Odoo 19; '
                                     'use @api.constrains or a guarded models.Constraint')
                    if isinstance(stmt, ast.FunctionDef) and stmt.name == 'name_get':
                        self.problem(path, stmt.lineno, 'name_get is gone since 17; compute display_name')
            elif isinstance(node, ast.Attribute):
                if (node.attr in ('Constraint', 'Index', 'UniqueIndex') and isinstance(node.value, ast.Name)
                        and node.value.id == 'models'):
                    self.problem(path, node.lineno, 'models.%s exists only on 19 (AttributeError on 17/18)' % node.attr)
                if node.attr in ('_cr', '_uid', '_context') and isinstance(node.ctx, ast.Load):
                    self.problem(path, node.lineno, '%s is deprecated in 19; use self.env.%s'
                                 % (node.attr, {'_cr': 'cr', '_uid': 'uid', '_context': 'context'}[node.attr]))
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == 'read_group':
                    self.problem(path, node.lineno, 'read_group is deprecated in 19 and removed in 20; use _read_group')
                if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == 'fields'):
                    for kw in node.keywords:
                        if kw.arg == 'aggregator':
                            self.problem(path, node.lineno, "aggregator= is unknown on 17.0 (ignored there, "
                                         "group_operator on 17); choose it per series in one place")

    # -- manifest ------------------------------------------------------------

    def check_manifest(self):
        path = os.path.join(self.addon, '__manifest__.py')
        if not os.path.isfile(path):
            self.problem(self.addon, None, 'no __manifest__.py')
            return []
        with open(path, encoding='utf-8') as f:
            source = f.read()
        try:
            manifest = ast.literal_eval(source)
        except (ValueError, SyntaxError) as exc:
            self.problem(path, getattr(exc, 'lineno', None), 'not a literal (Odoo reads it with ast.literal_eval): %s' % exc)
            return []
        if not isinstance(manifest, dict):
            self.problem(path, None, 'must be a dict')
            return []
        for key in ('name', 'version', 'license', 'depends', 'data', 'summary'):
            if key not in manifest:
                self.problem(path, None, 'missing key %r' % key)
        version = manifest.get('version', '')
        if not re.fullmatch(r'\d+\.\d+(\.\d+)?', str(version)):
            self.problem(path, None, "version %r must be 'x.y' or 'x.y.z' without series prefix: one code base "
                                     "serves 17.0, 18.0 and 19.0 and Odoo prefixes the running series" % (version,))
        if manifest.get('installable', True) is not True:
            self.problem(path, None, 'installable must be True')
        depends = manifest.get('depends', [])
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            self.problem(path, None, 'depends must be a list of module names')
        else:
            self.depends.update(depends)
        data = []
        for key in ('data', 'demo'):
            files = manifest.get(key, [])
            if not isinstance(files, list):
                self.problem(path, None, '%s must be a list' % key)
                continue
            seen = set()
            for name in files:
                full = os.path.join(self.addon, *str(name).split('/'))
                if name in seen:
                    self.problem(path, None, '%s lists %r twice' % (key, name))
                seen.add(name)
                if not os.path.isfile(full):
                    self.problem(path, None, '%s file %r does not exist' % (key, name))
                elif not name.endswith(('.xml', '.csv')):
                    self.problem(path, None, '%s file %r is neither .xml nor .csv' % (key, name))
                elif key == 'data':
                    data.append(full)
        return data

    # -- XML -----------------------------------------------------------------

    def parse_xml(self, path, text=None, first_line=1):
        """Parse with expat to keep line numbers: returns (root, {element: line}) or (None, None).

        text: parse this string instead of the file (an arch held in a Python
        constant); first_line: the line of the file where text starts.
        """
        parser = expat.ParserCreate()
        builder = ET.TreeBuilder()
        lines = {}

        def start(tag, attrs):
            lines[builder.start(tag, attrs)] = parser.CurrentLineNumber + first_line - 1

        parser.StartElementHandler = start
        parser.EndElementHandler = builder.end
        parser.CharacterDataHandler = builder.data
        try:
            if text is None:
                with open(path, 'rb') as f:
                    parser.Parse(f.read(), True)
            else:
                parser.Parse(text.encode('utf-8'), True)
            return builder.close(), lines
        except expat.ExpatError as exc:
            self.problem(path, exc.lineno + first_line - 1, 'XML does not parse: %s' % expat.ErrorString(exc.code))
            return None, None

    def check_all_xml_parses(self):
        for root, dirs, files in os.walk(self.addon):
            dirs[:] = [d for d in dirs if not d.startswith('.')]
            for name in sorted(files):
                if name.endswith('.xml'):
                    self.parse_xml(os.path.join(root, name))

    def resolve_ref(self, path, line, ref, what='reference'):
        if '.' in ref:
            module, name = ref.split('.', 1)
            if module != self.module:
                if module not in self.depends:
                    self.problem(path, line, '%s %r: module %r is not in depends' % (what, ref, module))
                return
        else:
            name = ref
        if name in self.defined_ids:
            return
        if name.startswith('model_') and any(name == 'model_' + m.replace('.', '_')
                                             for m, info in self.models.items() if info['defined']):
            return
        self.problem(path, line, '%s %r is not defined before this point (load order)' % (what, ref))

    def check_data_xml(self, path):
        root, lines = self.parse_xml(path)
        if root is None:
            return
        if root.tag not in ('odoo', 'openerp'):
            self.problem(path, lines[root], 'root must be <odoo>, not <%s>' % root.tag)
            return
        containers = [root] + [d for d in root if d.tag == 'data']
        for container in containers:
            for node in container:
                line = lines.get(node)
                if node.tag == 'data' and container is root:
                    continue
                if node.tag not in DATA_TAGS:
                    self.problem(path, line, '<%s> is not a data tag on 17/18/19' % node.tag)
                    continue
                for attr in ('ref', 'action', 'parent', 'inherit_id'):
                    if node.get(attr) and node.tag in ('menuitem', 'template'):
                        self.resolve_ref(path, line, node.get(attr))
                for group in filter(None, (node.get('groups') or '').split(',')):
                    self.resolve_ref(path, line, group.strip().lstrip('!'), 'group')
                if node.tag == 'record':
                    self.check_record(path, node, lines)
                if node.tag == 'function':
                    self.check_function(path, node, lines)
                if node.get('id'):
                    xml_id = node.get('id')
                    if '.' in xml_id:
                        if xml_id.split('.', 1)[0] not in self.depends | {self.module}:
                            self.problem(path, line, 'record %r of a module not in depends' % xml_id)
                        if xml_id.startswith(self.module + '.'):
                            self.defined_ids.append(xml_id.split('.', 1)[1])
                    else:
                        self.defined_ids.append(xml_id)

    def record_fields(self, node):
        return {f.get('name'): f for f in node if f.tag == 'field'}

    def check_function(self, path, node, lines):
        model = self.models.get(node.get('model'))
        if model and node.get('name') not in model['methods']:
            self.problem(path, lines.get(node), '<function>: %s has no method %r'
                         % (node.get('model'), node.get('name')))

    def check_record(self, path, node, lines):
        model = node.get('model')
        fields = self.record_fields(node)
        for fname, fnode in fields.items():
            for ref in filter(None, [fnode.get('ref')] + REF_CALL_RE.findall(fnode.get('eval') or '')):
                self.resolve_ref(path, lines.get(fnode), ref)
            why = SERIES_ONLY_FIELDS.get(model, {}).get(fname)
            if why:
                self.problem(path, lines.get(fnode), '%s.%s is not portable: %s' % (model, fname, why))
        if model == 'ir.cron':
            for required in ('interval_number', 'interval_type'):
                if required not in fields:
                    self.problem(path, lines.get(node), 'ir.cron %r must set %s (the default runs it once a '
                                 'month)' % (node.get('id'), required))
        if model == 'ir.ui.view':
            self.check_view_record(path, node, fields, lines)
        elif model == 'ir.actions.act_window':
            self.check_action(path, node, fields, lines)
        elif model == 'ir.actions.act_window.view':
            mode = fields.get('view_mode')
            if mode is not None and (mode.text or '').strip() in ('tree', 'list'):
                self.problem(path, lines.get(mode), 'view_mode %r differs per series (tree on 17, list on 18+)'
                             % mode.text.strip())
        elif model in self.models and self.models[model]['defined']:
            known = set(self.models[model]['fields']) | MAGIC_FIELDS
            for fname, fnode in fields.items():
                if fname not in known:
                    self.problem(path, lines.get(fnode), '%s has no field %r' % (model, fname))

    def check_action(self, path, node, fields, lines):
        res_model = (fields.get('res_model').text or '').strip() if 'res_model' in fields else None
        if not res_model:
            self.problem(path, lines.get(node), 'window action %r has no res_model' % node.get('id'))
        mode = fields.get('view_mode')
        modes = (mode.text or '').strip().split(',') if mode is not None else []
        if 'tree' in modes:
            self.problem(path, lines.get(mode), "view_mode %r names 'tree', which 18+ do not know: name the list "
                         "view 'list' (17's get_views maps 'list' to 'tree')" % mode.text.strip())
        if (mode is None or 'list' in modes) and res_model in self.models and self.models[res_model]['defined']:
            methods = self.models[res_model]['methods']
            for hook in LIST_HOOKS:
                if hook not in methods:
                    self.problem(path, lines.get(node), 'action %r opens %s in list mode but the model has no %s '
                                 '(the list view of %s)' % (node.get('id'), res_model, hook,
                                                            '17' if LIST_HOOKS[hook] == 'tree' else '18+'))
        elif res_model and res_model not in self.models:
            # a model of another module: cannot be checked here
            pass

    def check_view_record(self, path, node, fields, lines):
        model_node = fields.get('model')
        model = (model_node.text or '').strip() if model_node is not None else None
        arch_node = fields.get('arch')
        if arch_node is None:
            self.problem(path, lines.get(node), 'view %r has no arch' % node.get('id'))
            return
        inherited = 'inherit_id' in fields
        roots = list(arch_node)
        if len(roots) != 1 and not inherited:
            self.problem(path, lines.get(arch_node), 'a primary view arch needs exactly one root element')
        for arch in roots:
            self.check_arch(path, arch, model, lines, inherited=inherited)

    def check_arch(self, path, arch, model, lines, inherited=False, in_data=True):
        """Check one view arch (an element tree); lines maps elements to line numbers (may be empty).
        in_data: the arch is in an XML data file (so it loads unchanged on every series)."""
        line = lines.get(arch)
        for el in arch.iter():
            if in_data and el.tag in ('tree', 'list'):
                self.problem(path, lines.get(el), '<%s> in XML data cannot load on every series (17 accepts only '
                             '<tree>, 18+ only <list>): build list views in the model (see LIST_HOOKS)' % el.tag)
            for attr in ('attrs', 'states'):
                if el.get(attr) is not None and el.tag != 'xpath':
                    self.problem(path, lines.get(el), '%s= was removed in 17; use invisible/readonly expressions' % attr)
        if in_data and arch.tag == 'kanban':
            names = {t.get('t-name') for t in arch.iter('t')}
            if not {'kanban-box', 'card'} <= names:
                self.problem(path, line, "a kanban arch needs a 'kanban-box' template (17) and a 'card' template "
                             "(19 dropped kanban-box); or build it per series in the model")
        info = self.models.get(model)
        self.check_chatter(path, arch, model, lines)
        for el in arch.iter('button'):
            action = re.fullmatch(r'%\(([\w.]+)\)d', el.get('name') or '')
            if action:
                self.resolve_ref(path, lines.get(el), action.group(1), 'button action')
        if inherited and info:
            # A model this addon extends (e.g. res.config.settings): only its own fields can be checked.
            own = set(info['fields']) | MAGIC_FIELDS
            for el in self.top_level_fields(arch):
                if el.get('name') not in own:
                    self.problem(path, lines.get(el), 'field %r is not a field this addon defines on %s'
                                 % (el.get('name'), model))
        if not info or not info['defined'] or inherited:
            return
        known = set(info['fields']) | MAGIC_FIELDS
        view_fields = set()
        for el in self.top_level_fields(arch):
            name = el.get('name')
            view_fields.add(name)
            if name not in known:
                self.problem(path, lines.get(el), 'field %r does not exist on %s' % (name, model))
        for el in arch.iter('label'):
            if el.get('for') and el.get('for') not in known:
                self.problem(path, lines.get(el), 'label for unknown field %r' % el.get('for'))
        for el in self.own_elements(arch):
            for attr, value in el.attrib.items():
                if attr in MODIFIER_ATTRS or attr.startswith('decoration-'):
                    for name in self.expr_names(path, lines.get(el), attr, value):
                        if name not in view_fields:
                            self.problem(path, lines.get(el), '%s="%s" uses %r, which is not a field of this '
                                         'view (Odoo 17+ requires it in the view)' % (attr, value, name))
        if arch.tag == 'search':
            for el in arch.iter('filter'):
                for fname in self.domain_fields(path, lines.get(el), el.get('domain')):
                    if fname not in known:
                        self.problem(path, lines.get(el), 'filter %r: domain uses unknown field %r'
                                     % (el.get('name'), fname))
                for fname in self.group_by_fields(path, lines.get(el), el.get('context')):
                    if fname not in known:
                        self.problem(path, lines.get(el), 'filter %r: group_by unknown field %r'
                                     % (el.get('name'), fname))

    def check_chatter(self, path, arch, model, lines):
        """18+ render the chatter from <chatter/>, 17 only from a div.oe_chatter: XML data holds the
        former and the model rewrites it for 17 in _get_view (see series_views.py)."""
        for el in arch.iter('div'):
            if 'oe_chatter' in (el.get('class') or '').split():
                self.problem(path, lines.get(el), 'div.oe_chatter renders only on 17: write <chatter/> and '
                             'rewrite it for 17 in the model\'s _get_view')
        chatters = list(arch.iter('chatter'))
        if chatters and '_get_view' not in self.models.get(model, {}).get('methods', {}):
            self.problem(path, lines.get(chatters[0]), '<chatter/> renders only on 18+: %s needs a _get_view '
                         'that rewrites it into 17\'s div.oe_chatter' % model)

    @staticmethod
    def own_elements(arch):
        """The arch's elements, without those inside a field (x2many subviews of another model)."""
        result = [arch]

        def walk(el):
            for child in el:
                result.append(child)
                if child.tag != 'field':
                    walk(child)
        walk(arch)
        return result

    @staticmethod
    def top_level_fields(arch):
        """Fields of the arch's own model: not those inside another field (x2many subviews)."""
        result = []

        def walk(el):
            for child in el:
                if child.tag == 'field':
                    result.append(child)
                else:
                    walk(child)
        walk(arch)
        return result

    def parse_expr(self, path, line, what, value):
        try:
            return ast.parse(value.strip(), mode='eval')
        except SyntaxError:
            self.problem(path, line, '%s is not a Python expression: %r' % (what, value))
            return None

    def expr_names(self, path, line, attr, value):
        tree = self.parse_expr(path, line, attr, value)
        if tree is None:
            return set()
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in EXPR_GLOBALS:
                names.add(node.id)
        return names

    def domain_fields(self, path, line, domain):
        if not domain:
            return []
        tree = self.parse_expr(path, line, 'domain', domain)
        result = []
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 3:
                first, op = node.elts[0], node.elts[1]
                if self.const_str(first) and self.const_str(op) is not None:
                    result.append(self.const_str(first).split('.')[0])
        return result

    def group_by_fields(self, path, line, context):
        if not context:
            return []
        tree = self.parse_expr(path, line, 'context', context)
        result = []
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if self.const_str(key) == 'group_by':
                        values = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
                        result.extend(self.const_str(v).split(':')[0] for v in values if self.const_str(v))
        return result

    # -- views built per series in Python ---------------------------------------

    @staticmethod
    def hook_factory_call(stmt):
        """Whether ``stmt`` assigns list hooks made by a HOOK_FACTORY call, a tuple of names."""
        return (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple)
                and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name)
                and stmt.value.func.id == HOOK_FACTORY)

    def hook_body(self, path, name, node):
        """The function that builds hook ``name``: the method itself, or the inner function of that name
        in the file's HOOK_FACTORY when the hook is assigned from it (None when the factory lacks it)."""
        if not isinstance(node, ast.Assign):
            return node
        for stmt in self.py_trees[path].body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == HOOK_FACTORY:
                return next((inner for inner in stmt.body
                             if isinstance(inner, ast.FunctionDef) and inner.name == name), None)
        return None

    def check_series_hooks(self):
        """List and kanban views served by default-view hooks (LIST_HOOKS, _get_default_kanban_view)."""
        for model, info in sorted(self.models.items()):
            hooks = {name: info['methods'][name] for name in LIST_HOOKS if name in info['methods']}
            for name in LIST_HOOKS:
                if hooks and name not in hooks:
                    first = next(iter(hooks.values()))
                    self.problem(first[0], first[1].lineno, '%s defines %s but not %s: the list view would exist '
                                 'on one series only' % (model, ', '.join(hooks), name))
            for name, (path, node) in hooks.items():
                wanted = LIST_HOOKS[name]
                other = ({'tree', 'list'} - {wanted}).pop()
                body = self.hook_body(path, name, node)
                if body is None:
                    self.problem(path, node.lineno, '%s of %s comes from %s, which defines no %s in this file'
                                 % (name, model, HOOK_FACTORY, name))
                    continue
                consts = self.strings_in(body)
                if wanted not in consts or other in consts:
                    self.problem(path, body.lineno, "%s must build the arch with root %r (and never %r): Odoo %s "
                                 "calls it" % (name, wanted, other, '17' if wanted == 'tree' else '18+'))
                self.check_hook_archs(model, path, node, 'LIST_VIEW_ARCH', 'list', name)
            if '_get_default_kanban_view' in info['methods']:
                path, node = info['methods']['_get_default_kanban_view']
                self.check_hook_archs(model, path, node, 'KANBAN_VIEW_ARCH', 'kanban')

    def check_hook_archs(self, model, path, hook, suffix, root, name=None):
        """The hook builds its arch from module-level *<suffix> strings of its file, checked like XML views."""
        name = name or hook.name
        constants = {const: (line, text) for const, line, text in self.arch_constants(path)}
        used = sorted({n.id for n in ast.walk(hook) if isinstance(n, ast.Name) and n.id.endswith(suffix)})
        if not used:
            self.problem(path, hook.lineno, '%s of %s must build its arch from a module-level *%s string of '
                         'this file' % (name, model, suffix))
        for const in used:
            if const not in constants:
                self.problem(path, hook.lineno, '%s uses %s, which is not a module-level string of this file'
                             % (name, const))
                continue
            line, text = constants[const]
            arch, lines = self.parse_xml(path, text=text, first_line=line)
            if arch is None:
                continue
            if arch.tag != root:
                self.problem(path, lines[arch], '%s must have root <%s> (18+ syntax), not <%s>'
                             % (const, root, arch.tag))
            if root == 'kanban' and 'card' not in {t.get('t-name') for t in arch.iter('t')}:
                self.problem(path, lines[arch], "%s must define a 'card' template (18+ syntax; 17 gets it "
                             "renamed to kanban-box)" % const)
            self.check_arch(path, arch, model, lines, in_data=False)

    def strings_in(self, node):
        return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}

    def arch_constants(self, path):
        result = []
        for stmt in self.py_trees[path].body:
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id.endswith('_VIEW_ARCH') and self.const_str(stmt.value) is not None):
                # the string starts on the line of its opening quotes (stmt.value.lineno)
                result.append((stmt.targets[0].id, stmt.value.lineno, self.const_str(stmt.value)))
        return result

    # -- access rights ---------------------------------------------------------

    def check_access_csv(self, path):
        with open(path, encoding='utf-8', newline='') as f:
            rows = list(csv.reader(f))
        if not rows:
            self.problem(path, None, 'empty file')
            return
        if os.path.basename(path) != 'ir.model.access.csv':
            return
        if rows[0] != ACCESS_HEADER:
            self.problem(path, 1, 'header must be %s' % ','.join(ACCESS_HEADER))
            return
        seen = set()
        own_models = {'model_' + m.replace('.', '_'): m for m, info in self.models.items() if info['defined']}
        for lineno, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(ACCESS_HEADER):
                self.problem(path, lineno, 'expected %d columns, got %d' % (len(ACCESS_HEADER), len(row)))
                continue
            rec = dict(zip(ACCESS_HEADER, (cell.strip() for cell in row)))
            if rec['id'] in seen:
                self.problem(path, lineno, 'duplicate id %r' % rec['id'])
            seen.add(rec['id'])
            model_ref = rec['model_id:id']
            module, _, name = model_ref.rpartition('.')
            if module in ('', self.module):
                if name not in own_models:
                    self.problem(path, lineno, 'model %r is not a model defined by this addon (known: %s)'
                                 % (model_ref, ', '.join(sorted(own_models)) or 'none'))
            elif module not in self.depends:
                self.problem(path, lineno, 'model %r: module %r is not in depends' % (model_ref, module))
            if rec['group_id:id']:
                self.resolve_ref(path, lineno, rec['group_id:id'], 'group')
            for perm in ('perm_read', 'perm_write', 'perm_create', 'perm_unlink'):
                if rec[perm] not in ('0', '1'):
                    self.problem(path, lineno, '%s must be 0 or 1, got %r' % (perm, rec[perm]))
            self.defined_ids.append(rec['id'])
        for model, info in self.models.items():
            if info['defined'] and not info.get('abstract') and not any(r[2].strip().rpartition('.')[2] == 'model_' + model.replace('.', '_')
                                           for r in rows[1:] if len(r) > 2):
                self.problem(path, None, 'model %s has no access rule (only the superuser could use it)' % model)

    # -- main ------------------------------------------------------------------

    def run(self):
        if not os.path.isdir(self.addon):
            self.problem(self.addon, None, 'not a directory')
            return self.problems
        self.check_python()
        data = self.check_manifest()
        self.check_all_xml_parses()
        for path in data:
            if path.endswith('.xml'):
                self.check_data_xml(path)
            elif path.endswith('.csv'):
                self.check_access_csv(path)
        self.check_series_hooks()
        return self.problems


def main(argv):
    if len(argv) != 2:
        print('usage: %s ADDON_PATH' % os.path.basename(argv[0]), file=sys.stderr)
        return 2
    problems = Checker(argv[1]).run()
    for problem in problems:
        print(problem)
    if problems:
        print('%d problem(s) in %s' % (len(problems), argv[1]), file=sys.stderr)
        return 1
    print('%s: OK' % argv[1])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
