"""One plain line, in the user's language, for a file that is missing or cannot be read
(issue 14, item 11): through the real `gspace` command, in English and in Japanese."""

from __future__ import annotations

import errno

import pytest
from helpers import EN, JA, run_gspace

from gspace.errors import file_message, language


@pytest.fixture
def incident(tmp_path):
    run_gspace("init", tmp_path / "inc", check=True)
    return tmp_path / "inc"


def one_line(result) -> str:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Errno" not in lines[0] and "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (EN, "gspace: {path}: no such file or folder; check the name and the folder it is in"),
        (
            JA,
            "gspace: {path}: そのファイルまたはフォルダーはありません。"
            "名前と場所を確かめてください",
        ),
    ],
)
def test_a_missing_sns_file(incident, tmp_path, env, expected):
    path = tmp_path / "tweets.jsonl"
    assert one_line(run_gspace("import", "sns", incident, path, env=env)) == expected.format(
        path=path
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (EN, "gspace: {path}: is a folder, not a file; give the files inside it instead"),
        (JA, "gspace: {path}: ファイルではなくフォルダーです。中のファイルを指定してください"),
    ],
)
@pytest.mark.parametrize("command", [["sns"], ["layer", "--kind", "shelter"]])
def test_a_folder_given_as_a_file(incident, tmp_path, env, expected, command):
    folder = tmp_path / "exports"
    folder.mkdir()
    name, *options = command
    result = run_gspace("import", name, incident, folder, *options, env=env)
    assert one_line(result) == expected.format(path=folder)


def test_one_missing_file_of_several_imports_nothing(incident, tmp_path):
    present = tmp_path / "a.jsonl"
    present.write_text(
        '{"id": "1", "text": "益城町で断水", "created_at": "2026-11-20T10:00:00Z"}\n'
    )
    result = run_gspace("import", "sns", incident, present, tmp_path / "b.jsonl")
    assert one_line(result).endswith(
        "b.jsonl: no such file or folder; check the name and the folder it is in"
    )
    assert "0 reports" in run_gspace("reports", incident).stderr


def test_a_missing_layer_file(incident, tmp_path):
    path = tmp_path / "避難所.csv"
    result = run_gspace("import", "layer", incident, path, "--kind", "shelter", env=JA)
    assert one_line(result) == (
        f"gspace: {path}: そのファイルまたはフォルダーはありません。名前と場所を確かめてください"
    )


def test_an_unreadable_file_says_how_to_make_it_readable(tmp_path):
    # what open() raises for a file without read permission (root reads every file, so the
    # error is made as the kernel reports it)
    denied = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "posts.csv"))
    assert file_message(denied) == (
        f"{tmp_path / 'posts.csv'}: permission denied; make it readable for your user account "
        "(or copy it to a folder of yours) and run the command again"
    )
    other = OSError(errno.EIO, "Input/output error", "card/IMG_0001.JPG")
    assert file_message(other) == (
        "card/IMG_0001.JPG: cannot be read (Input/output error); "
        "check the disk or copy the file again"
    )


def test_a_file_this_user_cannot_read(incident, tmp_path):
    import os

    path = tmp_path / "posts.jsonl"
    path.write_text("{}\n")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("this user (root) reads files without read permission")
    result = run_gspace("import", "sns", incident, path, env=JA)
    assert one_line(result).startswith(f"gspace: {path}: 読み取る権限がありません。")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.eucJP"}, "ja"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "C"}, "en"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": ""}, "ja"),  # set but empty: not set
        ({}, "en"),
    ],
)
def test_the_language_is_the_locales(env, expected):
    assert language(env) == expected


@pytest.mark.parametrize("command", [["open"], ["reports"], ["import", "sns"]])
def test_an_incident_folder_that_does_not_exist(tmp_path, command):
    missing = tmp_path / "熊本地震"
    posts = tmp_path / "posts.jsonl"
    posts.write_text("{}\n")
    extra = [posts] if command[0] == "import" else []
    english = one_line(run_gspace(*command, missing, *extra, env=EN))
    assert english == (
        f"gspace: not an incident folder: {missing} (no such folder); check the name, "
        f"or create one with gspace init {missing}"
    )
    japanese = one_line(run_gspace(*command, missing, *extra, env=JA))
    assert japanese == (
        f"gspace: 事案フォルダーではありません: {missing}(そのフォルダーはありません)。"
        f"名前を確かめるか、gspace init {missing} で作成してください"
    )
    folder = tmp_path / "photos"
    folder.mkdir()
    assert "store.sqlite がありません" in one_line(run_gspace(*command, folder, *extra, env=JA))
