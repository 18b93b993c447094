"""`make screenshots`: the key pages on a phone and a desktop, into docs/screenshots/.

Builds the demo prefecture in a temporary folder, serves it, walks the resident → dispatcher
→ handler → resident → leader story in Debian's Chromium and saves a screenshot of each page.
"""

import os
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PORT = 8765


def jiceng(*args, env):
    subprocess.run(
        [str(Path(sys.executable).parent / "jiceng"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    var = tempfile.mkdtemp(prefix="jiceng-shots-")
    env = {
        **os.environ,
        "JICENG_VAR_DIR": var,
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        # the resident's phone is a file here: the rating code is read from it
        "NOTIFY_BACKEND": "jiceng.tickets.notify.FileBackend",
    }
    env.pop("DATABASE_URL", None)
    print("building the demo prefecture …", flush=True)
    jiceng("migrate", "--noinput", env=env)
    jiceng("seed-demo", env=env)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jiceng"),
            "runserver",
            f"127.0.0.1:{PORT}",
            "--noreload",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        walk(f"http://127.0.0.1:{PORT}", var)
    finally:
        server.terminate()
        server.wait()
    print(f"wrote {OUT}")


def walk(base: str, var: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        phone = browser.new_context(
            viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="zh-CN"
        )
        resident = phone.new_page()
        resident.goto(f"{base}/submit/")
        resident.fill("#id_content", "嘉顺社区3号楼暖气不热，屋里只有15度，老人孩子受不了。")
        resident.select_option("#id_county", "652301000000")
        resident.locator("#id_township option").nth(1).wait_for(state="attached")
        resident.select_option("#id_township", "652301004000")
        resident.locator("#id_village option").nth(2).wait_for(state="attached")
        resident.select_option("#id_village", "652301004012")
        resident.fill("#id_address", "3号楼2单元")
        resident.fill("#id_phone", "13912345678")
        resident.fill("#id_name", "李女士")
        resident.screenshot(path=OUT / "phone-submit.png", full_page=True)
        resident.click("main button[type=submit]")
        code = resident.locator("#tracking-code").inner_text()
        resident.screenshot(path=OUT / "phone-submitted.png", full_page=True)

        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = desk.new_page()

        def sign_in(username):
            desk.clear_cookies()
            page.goto(f"{base}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", f"{username}-2026")
            page.click("main button[type=submit]")

        sign_in("dispatcher")
        page.goto(f"{base}/work/tickets/?view=received")
        page.screenshot(path=OUT / "desktop-dispatcher-queue.png", full_page=True)
        page.goto(f"{base}/work/tickets/?view=all&q=暖气不热，屋里只有15度")
        page.locator("table.tickets a").first.click()
        page.screenshot(path=OUT / "desktop-ticket-dispatch.png", full_page=True)
        # The story goes on with the community (a leaking radiator in its building); the
        # model may have sent it elsewhere already, then the dispatcher re-dispatches.
        action = "dispatch" if page.locator("form[data-action=dispatch]").count() else "redispatch"
        form = page.locator(f"form[data-action={action}]")
        if action == "redispatch":
            page.locator(f"details:has(form[data-action={action}]) summary").click()
            form.locator("input[name=reason]").fill("楼内管道问题，先由社区协调物业处理")
        form.locator("select[name=unit]").select_option(label="嘉顺社区居委会")
        form.locator("button[type=submit]").click()

        sign_in("handler")
        page.goto(f"{base}/work/tickets/?view=todo")
        page.locator("table.tickets a").first.click()
        page.click("form[data-action=accept] button[type=submit]")
        page.locator("details:has(form[data-action=reply]) summary").click()
        page.fill(
            "form[data-action=reply] textarea", "已联系供热公司上门排气，室温已恢复到20度以上。"
        )
        page.screenshot(path=OUT / "desktop-handler-reply.png", full_page=True)
        page.click("form[data-action=reply] button[type=submit]")

        resident.goto(f"{base}/track/")
        resident.fill("#id_code", code)
        resident.fill("#id_last4", "5678")
        resident.click("main button[type=submit]")
        resident.click("form[action$='/code/'] button[type=submit]")
        sms = Path(var, "outbox", "messages.log").read_text(encoding="utf-8")
        code_sent = sms.rsplit("验证码为 ", 1)[1][:6]
        resident.fill("#id_code", code_sent)
        resident.click("form[action$='/verify/'] button[type=submit]")
        resident.screenshot(path=OUT / "phone-track-and-rate.png", full_page=True)
        resident.check("input[name=solved][value='1']")
        resident.check("input[name=satisfaction][value='满意']")
        resident.click("form[action$='/rate/'] button[type=submit]")

        sign_in("leader")
        last_month = time.strftime("%Y-%m", time.localtime(time.time() - 30 * 86400))
        page.goto(f"{base}/dashboard/?period={last_month}")
        page.locator("#chart-trend canvas").first.wait_for(state="attached")
        page.wait_for_timeout(600)
        page.screenshot(path=OUT / "desktop-dashboard.png")
        page.locator("#ranking").scroll_into_view_if_needed()
        page.evaluate(
            "window.scrollBy(0, document.querySelector('#ranking').getBoundingClientRect().top - 20)"
        )
        page.screenshot(path=OUT / "desktop-ranking-groups.png")
        page.locator("table.ranking a[href*='/dashboard/units/']").first.click()
        page.locator("#chart-unit canvas").first.wait_for(state="attached")
        page.wait_for_timeout(600)
        page.screenshot(path=OUT / "desktop-unit-page.png")
        page.goto(f"{base}/dashboard/hotspots/?days=90")
        page.screenshot(path=OUT / "desktop-hotspots.png")
        sign_in("assessor")  # the star periods: this quarter's in entry, last quarter's published
        page.goto(f"{base}/evaluation/periods/")
        links = page.eval_on_selector_all(
            "main a[href*='/evaluation/periods/']", "els => els.map(e => e.href)"
        )
        current, published = [u for u in links if u.rstrip("/").split("/")[-1].isdigit()][:2]
        page.goto(current)
        page.screenshot(path=OUT / "desktop-period-entry.png")
        page.goto(published)
        page.locator("h2", has_text="星级分布").scroll_into_view_if_needed()
        page.evaluate(
            "window.scrollBy(0, document.querySelector('.starmap').getBoundingClientRect().top - 120)"
        )
        page.screenshot(path=OUT / "desktop-period-stars.png")
        phone_leader = browser.new_context(
            viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="zh-CN"
        )
        small = phone_leader.new_page()
        small.goto(f"{base}/login/")
        small.fill("#id_username", "leader")
        small.fill("#id_password", "leader-2026")
        small.click("main button[type=submit]")
        small.goto(f"{base}/dashboard/?period={last_month}")
        small.locator("#chart-map canvas").first.wait_for(state="attached")
        small.wait_for_timeout(600)
        small.evaluate(
            "window.scrollBy(0, document.querySelector('#county-map').getBoundingClientRect().top - 8)"
        )
        small.screenshot(path=OUT / "phone-dashboard.png")
        browser.close()


if __name__ == "__main__":
    main()
