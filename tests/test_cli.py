import csv
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from kiosk.cli import main
from kiosk.report import day_figures


def run(*args, data_dir):
    return main([*args, "--data-dir", str(data_dir)])


def test_simulate_prints_each_record_and_status_counts_them(data_dir, capsys):
    assert run("simulate", "--members", "8", "--services", "12", "--quiz", "5", "--handouts", "6",
               "--seed", "3", data_dir=data_dir) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8 + 12 + 5 + 6
    kinds = [line.split()[0] for line in lines]
    assert kinds.count("registration") == 8 and kinds.count("quiz_attempt") == 5
    assert run("status", "--json", data_dir=data_dir) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["counts"]["registration"] == 8
    assert status["counts"].get("service_use", 0) + status["counts"].get("consultation", 0) == 12
    assert status["pending"] == status["total_records"] == 31
    assert status["synced"] == 0 and status["needs_attention"] == 0 and status["last_sync"] is None


def _summary_from_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return {row[2]: row[3] for row in rows if row and row[0] == "summary" and row[1] != "项目"}, rows


def test_export_csv_and_xlsx_match_the_day_figures_and_hide_personal_data(core, data_dir, tmp_path, capsys):
    from kiosk.simulate import simulate

    simulate(core.booth, members=10, services=20, quiz=5, handouts=8, seed=7)
    figures = day_figures(core.booth.report)
    core.close()
    assert run("export", "--format", "csv", "--out", str(tmp_path / "r.csv"), data_dir=data_dir) == 0
    assert run("export", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"), data_dir=data_dir) == 0
    summary, rows = _summary_from_csv(tmp_path / "r.csv")
    assert int(summary["New members"]) == figures.new_members == 10
    assert int(summary["Consultations (person-times)"]) == figures.consultations == 20
    assert int(summary["Gifts and leaflets handed out"]) == figures.handouts_total
    records = rows[rows.index(["seq", "record_id", "kind", "subject", "captured_at_utc", "refers_to", "voided",
                               "sync_state", "details_masked"]) + 1:]
    assert len(records) == 43
    wb = load_workbook(tmp_path / "r.xlsx", read_only=True)
    xsummary = {r[1]: r[2] for r in wb["汇总 Summary"].iter_rows(min_row=2, values_only=True)}
    assert xsummary["New members"] == 10 and xsummary["Consultations (person-times)"] == 20
    assert len(list(wb["记录 Records"].iter_rows(values_only=True))) == 1 + 44  # CSV export recorded first
    masked_names = [json.loads(r[8]).get("masked_name") for r in records if r[2] == "registration"]
    assert all("*" in name for name in masked_names)


def test_the_day_report_shows_each_registrations_document_kind_masked(core, data_dir, tmp_path):
    from kiosk.membership import RegistrationForm

    occupation = core.config.registration.occupations[0].id
    for phone, number in (("13800138000", "830000199003071230"), ("13900139000", "931000840198001018")):
        core.booth.members.register(RegistrationForm(name="陈大文", phone=phone, id_number=number, occupation=occupation,
                                             consent_given=True))
    core.close()
    assert run("export", "--format", "csv", "--out", str(tmp_path / "r.csv"), data_dir=data_dir) == 0
    _, rows = _summary_from_csv(tmp_path / "r.csv")
    details = [json.loads(r[8]) for r in rows if len(r) > 8 and r[2] == "registration"]
    assert [d["document_kind"] for d in details] == ["hmt_residence_permit", "foreign_permanent_residence"]
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "830000199003071230" not in text and "931000840198001018" not in text


def test_bad_config_is_refused_with_file_key_and_reason(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    text = (__import__("kiosk.settings", fromlist=["x"]).DEMO_CONFIG).read_text(encoding="utf-8")
    bad.write_text(text.replace('venue_type = "sub"', 'venue_type = "stall"'), encoding="utf-8")
    assert main(["status", "--config", str(bad), "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "[booth.venue_type]" in err and "stall" in err


@pytest.mark.parametrize("replace, key", [
    ('stock = 300', 'stock = -1'),
    ('pass_mark = 4', 'pass_mark = 9'),
    ('prize_item = "quiz-prize"', 'prize_item = "nothing"'),
    ('timeout_s = 60', 'timeout_s = "soon"'),
])
def test_each_invalid_setting_names_its_key(tmp_path, replace, key):
    from kiosk.config import ConfigError, load_config
    from kiosk.settings import DEMO_CONFIG

    bad = tmp_path / "bad.toml"
    bad.write_text(DEMO_CONFIG.read_text(encoding="utf-8").replace(replace, key), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    assert err.value.key.split(".")[-1].split("[")[0] in key or err.value.key in key


def test_config_that_is_not_toml(tmp_path):
    from kiosk.config import ConfigError, load_config

    bad = tmp_path / "bad.toml"
    bad.write_text("[event\nid=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_the_configuration_cannot_be_changed_once_read():
    from kiosk.config import load_config
    from kiosk.settings import DEMO_CONFIG

    config = load_config(DEMO_CONFIG)
    for item, field in ((config, "retention_days"), (config.booth, "name"), (config.services[0], "location")):
        with pytest.raises(AttributeError):
            setattr(item, field, "changed")
    assert "raw=" not in repr(config) and f"booth={config.booth!r}" in repr(config)


def test_kiosk_entry_point_runs(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kiosk", "status", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    assert "pending 0" in out


def test_a_sensitive_extra_field_is_refused_without_its_own_consent(tmp_path):
    from kiosk.config import ConfigError, load_config
    from kiosk.settings import DEMO_CONFIG

    text = DEMO_CONFIG.read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("optional_fields = []", 'optional_fields = ["id_photo"]'), encoding="utf-8")
    with pytest.raises(ConfigError, match="sensitive personal information") as err:
        load_config(bad)
    assert err.value.key == "registration.optional_fields"
    good = tmp_path / "good.toml"
    good.write_text(text.replace("optional_fields = []", 'optional_fields = ["id_photo"]\n'
                                 '[registration.sensitive_consent]\nid_photo = "我单独同意提供身份证照片用于……"'),
                    encoding="utf-8")
    assert load_config(good).registration.optional_fields == ("id_photo",)
    plain = tmp_path / "plain.toml"
    plain.write_text(text.replace("optional_fields = []", 'optional_fields = ["shoe_size"]'), encoding="utf-8")
    assert load_config(plain).registration.optional_fields == ("shoe_size",)


@pytest.mark.parametrize("argv", [[], ["--windowed"], ["--data-dir", "d"], ["--data-dir=d", "--windowed"],
                                  ["--config", "c.toml", "--data-dir", "d", "--windowed"], ["--config=c.toml"],
                                  ["--data-dir="], ["--data-dir", "a", "--data-dir", "b"], ["--windowed", "--windowed"]])
def test_the_gui_command_line_parses_as_the_whole_parser_parses_it(argv):
    from kiosk.cli import build_parser, gui_options

    assert gui_options(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["status"], ["--windowed", "status"], ["--wind"],
                                  ["--data-dir"], ["--data-dir", "--windowed"], ["--windowed=yes"], ["--"],
                                  ["--data-dir", "d", "sync", "--once"], ["x"], ["--config", "-"]])
def test_every_other_command_line_goes_to_the_whole_parser(argv):
    from kiosk.cli import gui_options

    assert gui_options(argv) is None


def test_help_still_lists_every_sub_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("simulate", "status", "export", "purge", "screenshots", "enroll", "sync"))
