#!/usr/bin/env python3
"""The addon's translations (stdlib unittest, no Odoo):

    python3 test/odoo-addon/test_i18n.py

Each addon's i18n/<addon>.pot is exported by Odoo itself (see game_server_status's README);
this checks that it is not stale against the code (every text the Python code marks for translation, and
every field label, help and selection label, is in it) and that i18n/fr.po translates every
term of it, keeping each placeholder.
"""
import ast
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ODOO = os.path.join(HERE, '..', '..', 'odoo')
#: The addons whose translations are checked: each has i18n/<name>.pot and i18n/fr.po.
ADDONS = ('game_server_status', 'game_server_status_project', 'game_server_status_portal')

PLACEHOLDER = re.compile(r'%\([a-z_]+\)[sd]|%[sd]')
#: Field attributes whose text Odoo exports (and translates) with the field.
FIELD_TEXTS = ('string', 'help')


def read_po(path):
    """{msgid: (msgstr, fuzzy)} of a PO file, multi-line strings joined, the header left out."""
    entries, fuzzy, key, parts = {}, False, None, {}

    def flush():
        if 'msgid' in parts and parts['msgid']:
            entries[parts['msgid']] = (parts.get('msgstr', ''), fuzzy)

    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.strip()
            if line.startswith('#,') and 'fuzzy' in line:
                fuzzy = True
            elif line.startswith('msgid '):
                flush()
                parts, key = {'msgid': ''}, 'msgid'
                parts[key] = ast.literal_eval(line[len('msgid '):])
            elif line.startswith('msgstr '):
                key = 'msgstr'
                parts[key] = ast.literal_eval(line[len('msgstr '):])
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
            elif not line:
                flush()
                parts, key, fuzzy = {}, None, False
    flush()
    return entries


def code_texts(addon):
    """Texts the addon's Python marks for translation: _()/_lt() literals, field strings and helps,
    selection labels."""
    texts = set()
    for folder, _dirs, files in os.walk(os.path.join(addon, 'models')):
        for name in files:
            if not name.endswith('.py'):
                continue
            with open(os.path.join(folder, name), encoding='utf-8') as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ''
                if called in ('_', '_lt') and node.args and isinstance(node.args[0], ast.Constant):
                    texts.add(node.args[0].value)
                is_field = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and func.value.id == 'fields'
                if not is_field:
                    continue
                for keyword in node.keywords:
                    if keyword.arg in FIELD_TEXTS and isinstance(keyword.value, ast.Constant):
                        texts.add(keyword.value.value)
                if func.attr == 'Selection' and node.args and isinstance(node.args[0], ast.List):
                    for option in node.args[0].elts:
                        if isinstance(option, ast.Tuple) and isinstance(option.elts[1], ast.Constant):
                            texts.add(option.elts[1].value)
    return {text for text in texts if isinstance(text, str) and text.strip()}


class TranslationsTest(unittest.TestCase):

    def test_the_template_holds_every_text_of_the_code(self):
        for name in ADDONS:
            with self.subTest(addon=name):
                addon = os.path.join(ODOO, name)
                missing = sorted(code_texts(addon) - set(read_po(os.path.join(addon, 'i18n', name + '.pot'))))
                self.assertEqual(missing, [], "i18n/%s.pot is stale: export it again with Odoo (the "
                                              "README of game_server_status says how)" % name)

    def test_french_translates_every_term_keeping_its_placeholders(self):
        for name in ADDONS:
            with self.subTest(addon=name):
                addon = os.path.join(ODOO, name)
                french = read_po(os.path.join(addon, 'i18n', 'fr.po'))
                problems = []
                for msgid in read_po(os.path.join(addon, 'i18n', name + '.pot')):
                    msgstr, fuzzy = french.get(msgid, ('', False))
                    if not msgstr or fuzzy:
                        problems.append('untranslated: %r' % msgid)
                    elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
                        problems.append('placeholders differ: %r -> %r' % (msgid, msgstr))
                self.assertEqual(problems, [])


if __name__ == '__main__':
    unittest.main()
