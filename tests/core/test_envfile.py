"""jwtdesk.core.envfile: the API, previews, files written by others, and every error path.

Round trips through the real readers are in test_envfile_roundtrip.py.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtdesk.core.envfile import MASK, Entry, Format, check_var_name, detect, parse, render
from jwtdesk.core.errors import Fix, InvalidInput
from jwtdesk.core.secret import Secret

SECRET = "s3cr3t-VALUE"  # a marker that must never appear in a preview or an error message
PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n"
    "-----END PRIVATE KEY-----\n"
)


def refused(fmt: Format, entries: list[Entry], **kw: Any) -> str:
    with pytest.raises(InvalidInput) as info:
        render(fmt, entries, **kw)
    message = str(info.value)
    assert "\n" not in message
    for e in entries:
        value = e.value.reveal().decode() if isinstance(e.value, Secret) else e.value
        if len(value) >= 4:
            assert value not in message
    return message


def refused_fix(fmt: Format, entries: list[Entry], **kw: Any) -> Fix | None:
    with pytest.raises(InvalidInput) as info:
        render(fmt, entries, **kw)
    return info.value.fix


def bad_file(text: str, fmt: Format | None = None) -> str:
    with pytest.raises(InvalidInput) as info:
        parse(text, fmt)
    message = str(info.value)
    assert "\n" not in message
    assert SECRET not in message
    return message


def test_the_product_imports_no_test_only_reader() -> None:
    code = (
        "import sys, jwtdesk.core.envfile as e; "
        "e.parse(e.render(e.Format.K8S, [e.Entry('A', 'x')])); "
        "print(sorted({'yaml', 'dotenv'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["A", "_", "jwt_secret", "JWT_SECRET_2", "_9"])
def test_valid_names(name: str) -> None:
    assert check_var_name(name) == name


@pytest.mark.parametrize("name", ["", "1A", "A-B", "A B", "A.B", "A=B", "É", "A\n", "$A"])
def test_invalid_names(name: str) -> None:
    with pytest.raises(InvalidInput, match="invalid variable name"):
        check_var_name(name)
    message = refused(Format.JSON, [Entry(name, "v")])
    assert "letters, digits and '_'" in message


# --- what each format writes ----------------------------------------------------------------


def test_exact_output_of_each_format() -> None:
    entries = [Entry("A", "x y"), Entry("B", "it's"), Entry("C", "a\nb")]
    assert render(Format.DOTENV, entries) == 'A=\'x y\'\nB="it\'s"\nC="a\\nb"\n'
    assert render(Format.SHELL, entries) == (
        "export A='x y'\nexport B='it'\\''s'\nexport C='a\nb'\n"
    )
    assert render(Format.SYSTEMD, [*entries, Entry("D", '$"`\\')]) == (
        'A="x y"\nB="it\'s"\nC="a\nb"\nD="\\$\\"\\`\\\\"\n'
    )
    assert render(Format.DOCKER, entries[:2]) == "A=x y\nB=it's\n"
    assert json.loads(render(Format.JSON, entries)) == {"A": "x y", "B": "it's", "C": "a\nb"}
    assert render(Format.K8S, entries[:1], k8s_name="api-prod.keys") == (
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: "api-prod.keys"\ntype: Opaque\n'
        'data:\n  "A": "eCB5"\n'
    )


def test_dotenv_quoting_choices() -> None:
    def token(value: str) -> str:
        return render(Format.DOTENV, [Entry("V", value)]).removeprefix("V=").removesuffix("\n")

    assert token("$HOME #x") == "'$HOME #x'"  # single quotes: no expansion anywhere
    assert token("a\\b") == "'a\\b'"  # a lone backslash is literal in single quotes everywhere
    assert token("it's #1") == '"it\'s #1"'  # double quotes when there is a single quote
    assert token("C:\\\\dir\\") == "C:\\\\dir\\"  # unquoted when quotes would decode backslashes
    assert token("") == "''"


def test_empty_and_header() -> None:
    assert render(Format.DOTENV, []) == ""
    assert render(Format.JSON, [], header="# h") == "{}\n"
    assert "data: {}" in render(Format.K8S, [])
    header = "# written by jwtdesk for profile api-prod\nsecond line"
    for fmt in (Format.DOTENV, Format.SHELL, Format.DOCKER, Format.SYSTEMD, Format.K8S):
        text = render(fmt, [Entry("A", "1")], header=header)
        assert text.startswith("# written by jwtdesk for profile api-prod\n# second line\n")
        assert parse(text, fmt) == {"A": "1"}
    assert not render(Format.JSON, [Entry("A", "1")], header=header).startswith("#")


@pytest.mark.parametrize("header", ["ends with a backslash \\", "tab\there", "a\rb", "nul\0"])
def test_bad_headers_are_refused(header: str) -> None:
    assert "header" in refused(Format.DOTENV, [Entry("A", "1")], header=header)


# --- previews --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(Format))
def test_preview_masks_secrets_and_nothing_else(fmt: Format) -> None:
    entries = [
        Entry("JWT_SECRET", Secret(SECRET.encode())),
        Entry("JWT_KEY", Secret((PEM if fmt is not Format.DOCKER else SECRET + "-2").encode())),
        Entry("JWT_ALG", "HS256"),
    ]
    preview = render(fmt, entries, mask=True, header="preview")
    written = render(fmt, entries, header="preview")
    assert MASK in preview
    assert preview.count(MASK) == 2
    for secret in (SECRET, PEM, "MIGHAgEA", base64.b64encode(SECRET.encode()).decode()):
        assert secret not in preview
    shown = base64.b64encode(b"HS256").decode() if fmt is Format.K8S else "HS256"
    assert shown in preview
    # The preview is the file with each secret value's written form replaced by the mask.
    assert len(preview.splitlines()) == len(written.splitlines()) - PEM.count("\n") * (
        fmt in (Format.SHELL, Format.SYSTEMD)
    )
    assert preview.splitlines()[-1] == written.splitlines()[-1]


def test_mask_is_the_same_for_any_length() -> None:
    short = render(Format.DOTENV, [Entry("A", Secret(b"x"))], mask=True)
    long = render(Format.DOTENV, [Entry("A", Secret(b"x" * 500))], mask=True)
    assert short == long == f"A={MASK}\n"
    masked = render(Format.JSON, [Entry("A", Secret(b"x"))], mask=True)
    assert masked == f'{{\n  "A": "{MASK}"\n}}\n'


def test_preview_refuses_what_export_refuses() -> None:
    with pytest.raises(InvalidInput, match="newline in KEY"):
        render(Format.DOCKER, [Entry("KEY", PEM)], mask=True)


# --- multiline="base64" ----------------------------------------------------------------------


def test_base64_multiline() -> None:
    entries = [Entry("KEY", PEM), Entry("ALG", "ES256")]
    text = render(Format.DOCKER, entries, multiline="base64")
    encoded = base64.b64encode(PEM.encode()).decode()
    assert text == f"KEY_B64={encoded}\nALG=ES256\n"
    assert parse(text, Format.DOCKER) == {"KEY_B64": encoded, "ALG": "ES256"}  # not undone
    masked = [Entry("KEY", Secret(PEM.encode())), Entry("ALG", "ES256")]
    assert f"KEY_B64={MASK}" in render(Format.DOCKER, masked, multiline="base64", mask=True)


def test_base64_multiline_name_clash_and_bad_mode() -> None:
    message = refused(Format.SHELL, [Entry("K", "a\nb"), Entry("K_B64", "x")], multiline="base64")
    assert "K_B64 appears twice" in message
    assert "multiline" in refused(Format.SHELL, [Entry("K", "v")], multiline="b64")


# --- refusals --------------------------------------------------------------------------------


def test_docker_refuses_line_breaks() -> None:
    message = refused(Format.DOCKER, [Entry("JWT_KEY", PEM)])
    assert message == "docker --env-file cannot carry a newline in JWT_KEY"
    assert refused_fix(Format.DOCKER, [Entry("JWT_KEY", PEM)]) is Fix.MULTILINE_BASE64
    assert "carriage return in K" in refused(Format.DOCKER, [Entry("K", SECRET + "\r")])
    assert refused_fix(Format.DOCKER, [Entry("K", SECRET + "\r")]) is Fix.MULTILINE_BASE64


@pytest.mark.parametrize("fmt", [Format.DOTENV, Format.SHELL, Format.DOCKER, Format.SYSTEMD])
def test_nul_is_refused_by_text_formats(fmt: Format) -> None:
    message = refused(fmt, [Entry("K", SECRET + "\0")])
    assert "K contains a NUL character" in message
    assert "json or k8s" in message


@pytest.mark.parametrize("fmt", [Format.JSON, Format.K8S])
def test_nul_is_carried_by_json_and_k8s(fmt: Format) -> None:
    assert parse(render(fmt, [Entry("K", "a\0b")]), fmt) == {"K": "a\0b"}


@pytest.mark.parametrize("fmt", list(Format))
def test_lone_surrogates_are_refused(fmt: Format) -> None:
    assert "not valid Unicode" in refused(fmt, [Entry("K", "a\ud800b")])


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("${HOME}", "python-dotenv replaces"),
        ("a${X:-b}c", "python-dotenv replaces"),
        ("it's \\ #", "read differently"),
        ("'\"$", "read differently"),
        ("line\n$x", "decode differently"),
        ("line\n\\", "decode differently"),
    ],
)
def test_dotenv_refusals(value: str, why: str) -> None:
    message = refused(Format.DOTENV, [Entry("K", value)])
    assert message.startswith("K ")
    assert why in message
    line_break = "\n" in value  # the remedy for a line break is base64, given as data
    expected = Fix.MULTILINE_BASE64 if line_break else None
    assert refused_fix(Format.DOTENV, [Entry("K", value)]) is expected


def test_duplicates_and_k8s_names() -> None:
    assert "A appears twice" in refused(Format.JSON, [Entry("A", "1"), Entry("A", "2")])
    for name in ("", "Upper", "-x", "x-", "a_b", "x" * 254):
        assert "Kubernetes Secret name" in refused(Format.K8S, [], k8s_name=name)


# --- reading files written by others -----------------------------------------------------------


def test_dotenv_files_by_others() -> None:
    text = (
        "\ufeff# comment\r\n\r\n"
        "export A=plain value   # trailing comment\r\n"
        "  B = 'single \\' quote'\r\n"
        'C="tab\\there \\"q\\" \\\\ $X"  # comment\r\n'
        "D=\n"
        "D2= # comment\n"
        "D3=#not a comment\n"
        "E='multi\nline'\n"
        "F=a#b\n"
        "A=last wins\n"
        "G.H-1=dots"
    )
    assert parse(text) == {
        "A": "last wins",
        "B": "single ' quote",
        "C": 'tab\there "q" \\ $X',
        "D": "",
        "D2": "",
        "D3": "#not a comment",
        "E": "multi\nline",
        "F": "a#b",
        "G.H-1": "dots",
    }


def test_shell_files_by_others() -> None:
    text = (
        "#!/bin/sh\n# comment\nexport A='x'\\''y'\n"
        'B="double \\"q\\" \\$ \\\\ \\n"\n'
        "C=plain\\ word\\\ncontinued  # comment\n"
        "export D='multi\nline' \r\n"
    )
    assert detect(text) is Format.SHELL
    assert parse(text) == {
        "A": "x'y",
        "B": 'double "q" $ \\ \\n',
        "C": "plain wordcontinued",
        "D": "multi\nline",
    }


def test_docker_files_by_others() -> None:
    text = "\ufeff  # comment\n\n  A= spaced 'quoted' #not a comment \r\nB==x\nA=again\n"
    assert parse(text, Format.DOCKER) == {"A": "again", "B": "=x"}
    assert parse("A= spaced 'q' \n", Format.DOCKER) == {"A": " spaced 'q' "}


def test_systemd_files_by_others() -> None:
    text = (
        "; comment\n# comment\n A = spaced value  \nB='single' \"double\\$\"\n"
        'C=one\\\ntwo\nD="multi\nline"\r\nE=\n'
    )
    assert parse(text, Format.SYSTEMD) == {
        "A": "spaced value",
        "B": "singledouble$",
        "C": "onetwo",
        "D": "multi\nline",
        "E": "",
    }


def test_json_files_by_others() -> None:
    assert parse('\ufeff {"A": "1", "A": "2", "B.c": ""}') == {"A": "2", "B.c": ""}


def test_kubectl_style_secret() -> None:
    text = (
        "---\n"
        "apiVersion: v1\n"
        "data:\n"
        "  JWT_SECRET: " + base64.b64encode(SECRET.encode()).decode() + "  # comment\n"
        "  'QUOTED': '" + base64.b64encode(b"q").decode() + "'\n"
        "kind: Secret  # comment\n"
        "metadata:\n"
        "  annotations:\n"
        "    kubectl.kubernetes.io/last-applied-configuration: |\n"
        '      {"apiVersion":"v1"}\n'
        '  creationTimestamp: "2024-01-01T00:00:00Z"\n'
        "  name: jwt-keys\n"
        "stringData:\n"
        '  PLAIN: "line\\nbreak \\u20ac"\n'
        "  QUOTED: 'it''s'\n"
        "type: Opaque\n"
    )
    assert detect(text) is Format.K8S
    assert parse(text) == {"JWT_SECRET": SECRET, "QUOTED": "it's", "PLAIN": "line\nbreak €"}


# --- detect ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(Format))
def test_detect_what_render_writes(fmt: Format) -> None:
    text = render(fmt, [Entry("A", "x"), Entry("B", PEM)], header="h", multiline="base64")
    expected = fmt if fmt in (Format.JSON, Format.K8S, Format.SHELL) else Format.DOTENV
    assert detect(text) is expected


def test_detect_foreign_files() -> None:
    assert detect("  \n{") is Format.JSON
    assert detect("A=1\nexport B='2'") is Format.DOTENV
    assert detect("# c\nexport B=2") is Format.DOTENV
    assert detect("apiVersion: v1\n") is Format.K8S
    assert detect("") is Format.DOTENV


# --- malformed files -----------------------------------------------------------------------------

MALFORMED = [
    (Format.DOTENV, f"A=1\nB\nC={SECRET}\n", "line 2 of the env file is not VAR=value"),
    (Format.DOTENV, f"A='{SECRET}\n", "line 1 of the env file opens a quote"),
    (Format.DOTENV, f"A='x' {SECRET}\n", "line 1 of the env file is not VAR=value"),
    (Format.DOTENV, f"{SECRET} = = x y z\n%%%\n", "line 2"),
    (
        Format.SHELL,
        f"export A='{SECRET}'\nexport B=$(cat {SECRET})\n",
        "line 2 of the env file uses",
    ),
    (Format.SHELL, f"A=~/{SECRET}\n", "shell expansion"),
    (Format.SHELL, f"A={SECRET} B=2\n", "not VAR=value"),
    (Format.SHELL, f'A="{SECRET}\n', "opens a quote"),
    (Format.SHELL, f'A="`{SECRET}`"\n', "shell expansion"),
    (Format.SHELL, "set -a\n", "line 1 of the env file is not VAR=value"),
    (Format.DOCKER, f"A={SECRET}\nJUST_A_NAME\n", "line 2 of the env file is not VAR=value"),
    (Format.DOCKER, f"A B={SECRET}\n", "has spaces"),
    (Format.DOCKER, f"={SECRET}\n", "empty"),
    (Format.SYSTEMD, f"A={SECRET}\nNO_EQUALS\n", "line 2 of the env file is not VAR=value"),
    (Format.SYSTEMD, f"1A={SECRET}\n", "not a valid variable name"),
    (Format.SYSTEMD, f'A="{SECRET}', "opens a quote"),
    (Format.SYSTEMD, f"# comment \\\nA={SECRET}\n", "comment ending in a backslash"),
    (Format.JSON, f'{{"A": "{SECRET}"', "not valid JSON"),
    (Format.JSON, f'["{SECRET}"]', "not one object"),
    (Format.JSON, f'{{"A": ["{SECRET}"]}}', "JSON value of A is not a string"),
    (Format.JSON, '{"A": "\\ud800"}', "not valid Unicode"),
    (Format.JSON, "[" * 100_000, "not valid JSON"),
    (Format.K8S, f"kind: Secret\ndata:\n  A: |\n    {SECRET}\n", "line 3 of the Kubernetes"),
    (Format.K8S, f"kind: Secret\ndata:\n  A: {SECRET}\n", "not the base64"),
    (Format.K8S, "kind: Secret\ndata:\n  A: " + base64.b64encode(b"\xff").decode(), "UTF-8"),
    (Format.K8S, "kind: Secret\nstringData:\n  A: true\n", "quote it"),
    (Format.K8S, "kind: Secret\nstringData:\n  ON: x\n", "quote it"),
    (Format.K8S, "kind: Secret\nstringData:\n  A:\n", "without a value"),
    (Format.K8S, f"kind: Secret\nstringData:\n  A: x\n   B: {SECRET}\n", "line 4"),
    (Format.K8S, f"kind: Secret\nstringData:\n  A: '{SECRET}\n", "line 3"),
    (Format.K8S, f'kind: Secret\nstringData:\n  A: "\\q{SECRET}"\n', "bad escape"),
    (Format.K8S, f"kind: Secret\nstringData: {{A: {SECRET}}}\n", "line 2"),
    (Format.K8S, f"kind: ConfigMap\ndata:\n  A: {SECRET}\n", "not a Kubernetes Secret"),
    (Format.K8S, f"stringData:\n  A: {SECRET}\n", "no 'kind: Secret'"),
    (Format.K8S, "kind: Secret\n---\nkind: Secret\n", "several documents"),
    (Format.K8S, "kind: Secret\n\tdata: x\n", "line 2"),
    (None, f"A={SECRET}\0\n", "NUL"),
]


@pytest.mark.parametrize(("fmt", "text", "expected"), MALFORMED)
def test_malformed_files(fmt: Format | None, text: str, expected: str) -> None:
    assert expected in bad_file(text, fmt)


# Text made of the characters the readers care about, to reach their deeper states.
PIECES = ["A=", "export ", "'", '"', "\\", "\n", "\r\n", "#", " ", "x", "=", "$", "{", "}", ":"]
PIECES += ["kind: Secret\n", "data:\n", "stringData:\n", "  K: ", "---\n", '  "K": "', "\t"]
FILE_TEXT = (
    st.text()
    | st.text("AZ_=\"'\\$`#;: \t\r\n{}[]-|>~ex\x00\u2028")
    | st.lists(st.sampled_from(PIECES)).map("".join)
)


@settings(max_examples=500, deadline=None)
@given(FILE_TEXT, st.sampled_from([*Format, None]))
def test_parse_raises_only_invalid_input(text: str, fmt: Format | None) -> None:
    try:
        result = parse(text, fmt)
    except InvalidInput as err:
        assert "\n" not in str(err)
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())
