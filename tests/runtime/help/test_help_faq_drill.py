"""The FAQ drill: a new question is a YAML edit plus a build — it appears on the help page,
searchable and linkable, with no Python edit."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from runtime_support import ROOT
from starlette.testclient import TestClient

from generator.compiler import compile_schemas, write_build
from runtime.app import create_app
from runtime.clock import Clock

NEW_QUESTION = """
  - id: drill_question
    question: 演练新增的问题怎样出现?
    audience: [unit]
    keywords: [政策演练]
    answer: |
      改YAML,重新生成即可。
    links:
      - {page: help, text: 常见问题}
"""


def test_a_question_added_in_yaml_appears_on_the_help_page_after_a_build(tmp_path: Path, clock: Clock) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    faq = schemas / "faq.yaml"
    faq.write_text(faq.read_text("utf-8").rstrip("\n") + "\n" + NEW_QUESTION, "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    write_build(result.artifacts, tmp_path / "build")

    app = create_app(tmp_path / "build", tmp_path / "data", dev=True, clock=clock, schemas_dir=schemas)
    with TestClient(app, base_url="http://testserver") as client:
        page = html.unescape(client.get("/help", params={"q": "政策演练", "for": "unit"}).text)
    app.state.services.storage.close()
    assert 'id="faq-drill_question"' in page
    assert "演练新增的问题怎样出现?" in page
    assert "改YAML,重新生成即可。" in page
