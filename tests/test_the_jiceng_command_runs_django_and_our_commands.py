import os
import subprocess
import sys
from pathlib import Path

# The console script installed beside the Python that runs the tests (make test's .venv).
JICENG = str(Path(sys.executable).parent / "jiceng")


def test_hyphenated_commands_reach_our_management_commands(tmp_path):
    env = {
        **os.environ,
        "JICENG_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    listing = subprocess.run([JICENG, "help"], env=env, capture_output=True, text=True, check=True)
    for name in ("import_regions", "seed_demo", "migrate", "runserver"):
        assert name in listing.stdout
    subprocess.run([JICENG, "migrate", "-v0"], env=env, check=True)
    result = subprocess.run(
        [JICENG, "import-regions", "--dry-run"], env=env, capture_output=True, text=True, check=True
    )
    assert "检查通过（未保存）" in result.stdout
    assert "县级 7 个，乡级 106 个，村级 926 个" in result.stdout
