"""`make demo` runs to its end against the slice and shows what it says it shows.

The demo (`python demo`) finds the services by the same JUMIN_*_PORT variables `make up` uses;
here they point at the slice's processes. Its output must show CS's receipts, the 戸籍附票システム's
附票記載事項通知 (accepted: the family's 戸籍 is seeded first) and the 婚姻 filed on the 戸籍 side
arriving as a pending 職権修正 that a reviewer approves; then a foreign resident's 市町村通知 at the
法務省 and its 長官通知 back as a pending 職権修正 by system:moj.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

from jumin_testing.e2e.processes import ROOT
from jumin_testing.e2e.slice import Slice


async def test_the_demo_shows_the_koseki_side_and_a_foreign_residents_day(
    ward: Slice,
) -> None:
    e = ward.environment
    env = {
        **e.base(),
        "JUMIN_REGISTRY_PORT": str(e.ports.registry),
        "JUMIN_CS_ADAPTER_PORT": str(e.ports.cs_adapter),
        "JUMIN_CS_SIMULATOR_PORT": str(e.ports.simulator),
        "JUMIN_KOSEKI_ADAPTER_PORT": str(e.ports.koseki_adapter),
        "JUMIN_KOSEKI_SIMULATOR_PORT": str(e.ports.koseki_simulator),
        "JUMIN_MOJ_NOTIFY_PORT": str(e.ports.moj_notify),
        "JUMIN_MOJ_SIMULATOR_PORT": str(e.ports.moj_simulator),
    }

    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "戸籍附票システムが受信" in out
    fuhyo_lines = [line for line in out.splitlines() if "附票記載事項通知 山田" in line]
    assert len(fuhyo_lines) >= 3, "a notice for each of the family moving in"
    assert "照合不一致" not in out, "every notice matched the seeded 戸籍"
    assert "婚姻 (戸籍の側から)" in out
    assert "仮登録の職権修正 (入力者 system:koseki)" in out
    assert "鈴木 一郎  本籍 東京都新宿区西新宿二丁目15番地 筆頭者 鈴木美咲" in out, (
        "the 附票 in the new 戸籍, with the new 氏"
    )
    assert "外国人住民の一日" in out
    moj_lines = [line for line in out.splitlines() if "NGUYEN THI HOA" in line]
    assert [("市町村通知" in line, "市町村伝達" in line) for line in moj_lines] == [
        (True, False),
        (False, True),
    ], "the ministry received one 市町村通知 and one 市町村伝達 of the 転入"
    assert "(入力者 system:moj)" in out, "the 長官通知 became a pending change"
    assert "在留期間 3年" in out, "the 長官通知's 在留期間更新, approved"
    assert "本日の異動は以上です。" in out
