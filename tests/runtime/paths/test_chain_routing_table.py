"""The routing table (PATH-2, PATH-3) cell by cell against the seed's table (section 四.7),
empty cells included, over GET /api/v1/routing."""

from __future__ import annotations

from pathlib import Path

import pytest
from chain_helpers import World
from runtime_support import message

SEED = Path("/work/shared/seeds/000_d8147cc641563945.txt")

# Transcribed from the seed, section 四.7 (威海市市直单位与评委会组建单位或呈报部门路径申请对照表);
# the seed separates cells with a no-break space, written here as "|"; an empty cell has no path.
TABLE = """\
系列专业|正高级职称|副高级职称|中级职称|初级职称
中小学教师|威海市教育局|威海市教育局|威海市教育局|威海市教育局
基层中小学教师|威海市教育局|威海市教育局||
中等职业学校教师|威海市教育局|威海市教育局|威海市教育局|威海市教育局
卫生技术|威海市卫生健康委|威海市卫生健康委||
基层卫生技术|威海市卫生健康委|威海市卫生健康委||
经济专业|威海市人力资源和社会保障局|威海市工业和信息化局||
工程技术|威海市人力资源和社会保障局|威海市工业和信息化局|威海市工业和信息化局|威海市工业和信息化局
自然资源工程|威海市人力资源和社会保障局|威海市自然资源和规划局|威海市自然资源和规划局|威海市自然资源和规划局
建设工程|威海市人力资源和社会保障局|威海市住房和城乡建设局|威海市住房和城乡建设局|威海市住房和城乡建设局
交通工程|威海市人力资源和社会保障局|威海市交通运输局|威海市交通运输局|威海市交通运输局
农业技术|威海市人力资源和社会保障局|威海市农业农村局|威海市农业农村局|威海市农业农村局
档案|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市档案局|威海市档案局
新闻|威海市人力资源和社会保障局|威海市人力资源和社会保障局|中共威海市委宣传部|中共威海市委宣传部
党校教师|威海市人力资源和社会保障局|威海市人力资源和社会保障局|中共威海市委党校|
工艺美术|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市工业和信息化局|威海市工业和信息化局
药品技术|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市市场监督管理局|威海市市场监督管理局
律师|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市司法局|威海市司法局
公证员|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市司法局|威海市司法局
法医技术|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市司法局|威海市司法局
图书资料|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局
文物博物|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局
群众文化|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局
艺术|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局
美术|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局|威海市文化和旅游局
翻译|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市政府外事办公室|威海市政府外事办公室
教练员|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市体育局|威海市体育局
技工学校教师|威海市人力资源公共服务中心|威海市人力资源公共服务中心|威海市人力资源公共服务中心|
播音|威海市文化和旅游局|威海市文化和旅游局|威海市广播电视台|威海市广播电视台
自然科学研究|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市科技局|威海市科技局
社会科学研究|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市社会科学界联合会|威海市社会科学界联合会
文学创作|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市文学艺术界联合会|威海市文学艺术界联合会
盲人医疗按摩|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市人力资源和社会保障局|威海市残疾人联合会
其他|威海市人力资源和社会保障局|威海市人力资源和社会保障局||
"""

LEVELS = ("正高级", "副高级", "中级", "初级")


def cells() -> dict[tuple[str, str], str]:
    rows = TABLE.splitlines()[1:]
    found = {}
    for row in rows:
        series, *names = row.split("|")
        assert len(names) == 4, row
        for level, name in zip(LEVELS, names, strict=True):
            found[(series, level)] = name
    return found


def test_the_transcript_is_the_seeds_table() -> None:
    if not SEED.is_file():
        pytest.skip("the seed document is not on this machine")
    lines = SEED.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("系列专业"))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("8."))
    assert [line.replace("\xa0", "|") for line in lines[start:end]] == TABLE.splitlines()


def test_every_series_of_the_table_is_a_series_of_the_code_list(world: World) -> None:
    series = {e["value"] for e in world.svc.bundle.entries("series")}
    assert {s for s, _ in cells()} == series


def test_every_cell_of_the_city_table_routes_a_city_unit_without_supervisor(world: World) -> None:
    caller = world.actor("weihai_hrss")
    for (series, level), name in cells().items():
        response = caller.get("/api/v1/routing", params={"series": series, "level": level, "region": "weihai"})
        if name:
            assert response.status_code == 200, (series, level, response.text)
            assert response.json()["names"] == [name], (series, level)
        else:
            assert response.status_code == 404, (series, level, response.text)
            assert response.json()["errors"][0]["message"] == message("routing_empty_cell")


@pytest.mark.parametrize(
    "region", ["huancui", "wendeng", "rongcheng", "rushan", "gaoqu", "jingqu", "lingang", "nanhai"]
)
def test_district_units_go_through_their_hr_authority_then_the_city_table(world: World, region: str) -> None:
    hr = next(a["name"] for a in world.svc.bundle.platform["authorities"] if a["region"] == region)
    caller = world.actor("weihai_hrss")
    for (series, level), name in cells().items():
        plain = caller.get("/api/v1/routing", params={"series": series, "level": level, "region": region})
        supervised = caller.get(
            "/api/v1/routing",
            params={"series": series, "level": level, "region": region, "supervisor": "weihai_science"},
        )
        if name:
            assert plain.json()["names"] == [hr, name], (region, series, level)
            assert supervised.json()["names"] == ["威海市科技局", hr, name], (region, series, level)
        else:
            assert (plain.status_code, supervised.status_code) == (404, 404), (region, series, level)


def test_a_city_unit_with_a_supervisor_goes_to_it_first(world: World) -> None:
    caller = world.actor("weihai_hrss")

    def names(series: str, level: str, supervisor: str) -> list[str]:
        params = {"series": series, "level": level, "region": "371000", "supervisor": supervisor}
        return list(caller.get("/api/v1/routing", params=params).json()["names"])

    assert names("工程技术", "正高级", "weihai_education") == ["威海市教育局", "威海市人力资源和社会保障局"]
    # the supervisor is the committee organising unit itself: it appears once
    assert names("中小学教师", "中级", "weihai_education") == ["威海市教育局"]


def test_bad_routing_queries_are_422_with_a_message(world: World) -> None:
    caller = world.actor("weihai_hrss")
    for params in (
        {"series": "档案", "level": "特级", "region": "weihai"},
        {"series": "不存在", "level": "中级", "region": "weihai"},
        {"series": "档案", "level": "中级", "region": "370000"},
        {"series": "档案", "level": "中级", "region": "weihai", "supervisor": "nobody"},
        {},
    ):
        response = caller.get("/api/v1/routing", params=params)
        assert response.status_code == 422, params
        assert all(e["message"] for e in response.json()["errors"])
    assert world.client.get("/api/v1/routing", params={"series": "档案"}).status_code == 401
