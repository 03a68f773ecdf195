"""The phone join pages (server-rendered HTML, Chinese first, an English switch, no script, no external file).

Readable on a 360-px-wide phone: one column, 18 px text, finger-sized tiles and buttons. Every page is
complete in itself (style inline), so it works on a slow mobile connection and under a strict CSP.
"""

from __future__ import annotations

import base64
import io
import re
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from booth_common.validation import ValidationError

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 18px;
       line-height: 1.55; color: #1f2329; background: #f7f4ef; }
header { background: #b71c1c; color: #fff; padding: 10px 16px; display: flex; justify-content: space-between;
         align-items: center; gap: 8px; }
header b { font-size: 17px; }
header a { color: #fff; font-size: 16px; white-space: nowrap; padding: 8px 4px; }
main { padding: 12px 16px 32px; max-width: 560px; margin: 0 auto; }
h1 { font-size: 24px; margin: 8px 0 12px; }
h2 { font-size: 20px; margin: 12px 0 6px; }
.notice { background: #fff; border: 1px solid #e0dbd3; border-radius: 12px; padding: 4px 14px; }
.notice p { margin: 10px 0; }
label.field { display: block; font-weight: 700; margin: 18px 0 6px; }
input[type=text], input[type=tel], select { width: 100%; font-size: 22px; padding: 10px 12px; min-height: 52px;
       border: 2px solid #c9c2b8; border-radius: 10px; background: #fff; font-family: inherit; }
input:focus, select:focus { outline: none; border-color: #1d5fae; }
input.invalid { border-color: #b3261e; background: #fff3f2; }
.hint { color: #4a4f57; font-size: 16px; margin: 4px 0; }
.error { color: #b3261e; font-weight: 700; margin: 6px 0; }
.tiles { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.tiles input { position: absolute; opacity: 0; }
.tiles label { display: flex; align-items: center; justify-content: center; text-align: center; min-height: 52px;
               padding: 6px; background: #fff; border: 2px solid #c9c2b8; border-radius: 10px; }
.tiles input:checked + label { background: #1d5fae; border-color: #1d5fae; color: #fff; font-weight: 700; }
.tiles input:focus-visible + label { outline: 3px solid #1d5fae; outline-offset: 2px; }
.oath { background: #fff; border-radius: 12px; padding: 14px; font-size: 20px; text-align: center; margin: 10px 0; }
button, a.button { display: block; width: 100%; min-height: 56px; margin: 14px 0 0; font-size: 20px; font-weight: 700;
         border: none; border-radius: 12px; background: #1d5fae; color: #fff; text-align: center; text-decoration: none;
         padding: 14px; font-family: inherit; }
a.secondary, button.secondary { background: #fff; color: #1f2329; border: 2px solid #c9c2b8; font-weight: normal; }
.pass { background: #fff; border-radius: 16px; padding: 16px; text-align: center; }
.pass img { width: 100%; max-width: 280px; image-rendering: pixelated; }
.token { font-family: monospace; font-size: 18px; letter-spacing: 1px; }
.masked { font-size: 22px; font-weight: 700; text-align: center; }
"""

TEXT = {
    "switch": ("English", "中文"),
    "notice_title": ("入会须知与个人信息告知", "Notice and personal information"),
    "agree": ("我已阅读并同意，继续", "I have read and agree, continue"),
    "decline": ("不同意（不会保存任何内容）", "I do not agree (nothing is stored)"),
    "form_title": ("填写入会信息", "Your details"),
    "name": ("姓名", "Name"), "name_hint": ("请输入身份证上的姓名", "As on your ID card"),
    "phone": ("手机号", "Mobile number"), "phone_hint": ("11位中国大陆手机号", "An 11-digit mainland China mobile number"),
    "id_number": ("证件号码", "ID number"),
    "id_number_hint": ("居民身份证 / 港澳台居民居住证 / 外国人永久居留身份证，18位", "Resident ID card / Hong Kong, Macao and "
                "Taiwan residence permit / Foreign permanent residence ID card, 18 characters"),
    "occupation": ("职业", "Occupation"), "employer": ("工作单位或平台（可以不填）", "Employer or platform (optional)"),
    "district": ("工作所在区", "District where you work"), "street": ("街道（乡镇）", "Sub-district or township"),
    "oath_title": ("入会宣誓", "Membership oath"),
    "oath_hint": ("请读一遍入会誓词，点下面的按钮即宣誓并提交", "Read the oath; the button below swears it and submits"),
    "swear": ("我宣誓，提交登记", "I so swear, submit"), "submit": ("提交登记", "Submit"),
    "welcome": ("欢迎加入工会！", "Welcome to the union!"),
    "pass_hint": ("这是您的会员码：长按图片保存，或点下面的按钮下载。到展位服务台出示即可领取福利包。",
                  "This is your member pass: press and hold the image to save it, or download it below. Show it "
                  "at the booth's desks for your welfare pack."),
    "save": ("保存会员码图片", "Save the member pass"),
    "already": ("您已登记", "You are already registered"),
    "already_both": ("这个证件号和手机号已经登记过，无需再次入会。这是您的会员码：",
                     "This ID number and this phone number are already registered: no need to join again. Your pass:"),
    "already_phone": ("这个手机号已经登记过（证件号不同）。如果号码输错了，请返回修改；如需补发会员码，请到展位服务台。",
                      "This phone number is already registered (with a different ID number). If you mistyped it, go "
                      "back and correct it; for a new copy of your pass, ask at the booth's desk."),
    "already_id": ("这个证件号已经登记过（手机号不同）。如果号码输错了，请返回修改；如需补发会员码，请到展位服务台。",
                   "This ID number is already registered (with a different phone number). If you mistyped it, go "
                   "back and correct it; for a new copy of your pass, ask at the booth's desk."),
    "back_phone": ("返回修改手机号", "Correct the phone number"),
    "back_id_number": ("返回修改证件号", "Correct the ID number"),
    "refused": ("无法打开", "Cannot open this page"),
}


def t(key: str, language: str) -> str:
    return TEXT[key][1 if language == "en" else 0]


def _page(title: str, body: str, *, language: str, switch_href: str | None) -> str:
    switch = f'<a href="{escape(switch_href)}" lang="{"zh" if language == "en" else "en"}">{t("switch", language)}</a>' \
        if switch_href else ""
    return (f'<!DOCTYPE html><html lang="{"en" if language == "en" else "zh-CN"}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><style>{STYLE}</style></head><body>'
            f'<header><b>{escape(title)}</b>{switch}</header><main>{body}</main></body></html>')


def _href(join: Any, *, token: str, language: str, step: str = "") -> str:
    query = {"t": token, **({"lang": "en"} if language == "en" else {}), **({"step": step} if step else {})}
    return f"/join/{quote(join.event_id)}/{quote(join.booth_id)}?{urlencode(query)}"


def _markdown(text: str) -> str:
    """The notice's own small Markdown (## headings, **bold**, paragraphs) as HTML, everything escaped first."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escape(block.strip()))
        blocks.append(f"<h2>{html[3:]}</h2>" if block.startswith("## ") else f"<p>{html}</p>")
    return "".join(blocks)


def notice(join: Any, *, token: str, language: str) -> str:
    event = join.event_name_en if language == "en" else join.event_name
    body = (f'<p class="hint">{escape(event)} · {escape(join.booth_name)}</p>'
            f'<h1>{t("notice_title", language)}</h1><div class="notice" id="notice">{_markdown(join.notice(language))}</div>'
            f'<a class="button" id="agree" href="{escape(_href(join, token=token, language=language, step="form"))}">'
            f'{t("agree", language)}</a>'
            f'<p class="hint" id="decline">{t("decline", language)}：{"close this page" if language == "en" else "关闭本页即可"}</p>')
    return _page(t("notice_title", language), body, language=language,
                 switch_href=_href(join, token=token, language="zh" if language == "en" else "en"))


def _error(errors: dict[str, ValidationError], name: str, language: str) -> str:
    error = errors.get(name)
    if error is None:
        return ""
    return f'<p class="error" id="error-{name}" role="alert">{escape(error.en if language == "en" else error.zh)}</p>'


def _input(name: str, *, language: str, values: dict[str, str], errors: dict[str, ValidationError], kind: str = "text",
           extra: str = "", value: str | None = None, focus: str = "") -> str:
    invalid = ' class="invalid" aria-invalid="true"' if name in errors else ""
    if name == focus:
        extra += " autofocus"
    shown = values.get(name, "") if value is None else value
    hint = f'<p class="hint" id="hint-{name}">{t(name + "_hint", language)}</p>' if (name + "_hint") in TEXT else ""
    return (f'<label class="field" for="{name}">{t(name, language)}</label>'
            f'<input type="{kind}" id="{name}" name="{name}" value="{escape(shown)}" autocomplete="off"{invalid} {extra}>'
            f'{hint}{_error(errors, name, language)}')


def form(join: Any, *, token: str, language: str, values: dict[str, str], errors: dict[str, ValidationError],
         focus: str = "") -> str:
    chosen = values.get("occupation", "")
    tiles = "".join(
        f'<input type="radio" name="occupation" id="occ-{escape(oid)}" value="{escape(oid)}"'
        f'{" checked" if oid == chosen else ""}><label for="occ-{escape(oid)}">{escape(en if language == "en" else zh)}</label>'
        for oid, zh, en in join.occupations)
    district = values.get("district") or join.district
    options = "".join(f'<option{" selected" if d == district else ""}>{escape(d)}</option>' for d in join.districts)
    place = (f'<label class="field" for="district">{t("district", language)}</label>'
             f'<select id="district" name="district">{options}</select>{_error(errors, "district", language)}'
             if join.districts else "")
    oath = (f'<h2>{t("oath_title", language)}</h2><p class="hint">{t("oath_hint", language)}</p>'
            f'<div class="oath" id="oath">{escape(join.oath_text)}</div><input type="hidden" name="oath" value="1">'
            if join.oath_enabled else "")
    general = "".join(_error(errors, k, language) for k in ("consent", "oath"))
    body = (f'<h1>{t("form_title", language)}</h1>{general}'
            f'<form method="post" action="/join/{quote(join.event_id)}/{quote(join.booth_id)}" novalidate>'
            f'<input type="hidden" name="t" value="{escape(token)}"><input type="hidden" name="lang" value="{language}">'
            f'<input type="hidden" name="consent" value="{escape(join.notice_version)}">'
            + _input("name", language=language, values=values, errors=errors, extra='maxlength="40"')
            + _input("phone", language=language, values=values, errors=errors, kind="tel",
                     extra='inputmode="numeric" maxlength="13"', focus=focus)
            + _input("id_number", language=language, values=values, errors=errors, extra='maxlength="20"', focus=focus)
            + f'<fieldset style="border:none;padding:0;margin:0"><legend class="field" style="font-weight:700;margin:18px 0 6px">'
              f'{t("occupation", language)}</legend><div class="tiles">{tiles}</div>'
              f'{_error(errors, "occupation", language)}</fieldset>'
            + _input("employer", language=language, values=values, errors=errors, extra='maxlength="60"')
            + place
            + _input("street", language=language, values=values, errors=errors, extra='maxlength="40"',
                     value=values.get("street") or join.street)
            + oath
            + f'<button type="submit" id="submit">{t("swear" if join.oath_enabled else "submit", language)}</button></form>')
    return _page(t("form_title", language), body, language=language,
                 switch_href=_href(join, token=token, language="zh" if language == "en" else "en", step="form"))


def pass_png(token: str) -> bytes:
    import qrcode
    from qrcode.image.pure import PyPNGImage

    qr = qrcode.QRCode(border=4, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(token)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image(image_factory=PyPNGImage).save(out)
    return out.getvalue()


def _pass_card(token: str, language: str) -> str:
    png = base64.b64encode(pass_png(token)).decode()
    return (f'<div class="pass"><img id="pass" alt="{t("save", language)}" src="data:image/png;base64,{png}">'
            f'<p class="token" id="pass-token">{escape(token)}</p></div>'
            f'<a class="button" id="save" download="member-pass.png" href="data:image/png;base64,{png}">{t("save", language)}</a>')


def member_pass(join: Any, member: dict[str, Any], *, language: str) -> str:
    body = (f'<h1>{t("welcome", language)}</h1>'
            f'<p class="masked" id="member">{escape(member["masked_name"])} {escape(member["masked_phone"])}</p>'
            f'<p class="hint">{t("pass_hint", language)}</p>{_pass_card(member["pass_token"], language)}')
    return _page(t("welcome", language), body, language=language, switch_href=None)


def _back_form(join: Any, *, token: str, language: str, values: dict[str, str], field: str) -> str:
    """返回修改: what the person typed goes back into the form (posted, never in a link), that number's field first."""
    kept = "".join(f'<input type="hidden" name="{k}" value="{escape(values.get(k, ""))}">'
                    for k in ("name", "phone", "id_number", "occupation", "employer", "district", "street"))
    return (f'<form method="post" action="/join/{quote(join.event_id)}/{quote(join.booth_id)}">'
            f'<input type="hidden" name="t" value="{escape(token)}"><input type="hidden" name="lang" value="{language}">'
            f'<input type="hidden" name="edit" value="{field}">{kept}'
            f'<button type="submit" class="secondary" id="back">{t("back_" + field, language)}</button></form>')


def already(join: Any, shown: dict[str, Any], *, matched: tuple[str, ...], token: str, language: str,
            values: dict[str, str] | None = None) -> str:
    key = "already_both" if len(matched) > 1 else "already_phone" if matched[0] == "phone" else "already_id"
    body = (f'<h1 id="already">{t("already", language)}</h1>'
            f'<p class="masked" id="member">{escape(shown["masked_name"])} {escape(shown["masked_phone"])}</p>'
            f'<p id="matched" data-matched="{" ".join(matched)}">{t(key, language)}</p>'
            + (_pass_card(shown["pass_token"], language) if shown.get("pass_token") else
               _back_form(join, token=token, language=language, values=values or {}, field=matched[0])))
    return _page(t("already", language), body, language=language, switch_href=None)


def refusal(zh: str, en: str, *, language: str) -> str:
    body = f'<h1>{t("refused", language)}</h1><p class="error" id="refusal">{escape(en if language == "en" else zh)}</p>'
    return _page(t("refused", language), body, language=language, switch_href=None)
