"""Upload validation: size, extension AND content, with the ProZorro-style sha256 hash."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ronghe.platform.core.documents import DocumentValidator, validate_document


def _zip(*parts: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part in parts:
            z.writestr(part, "<x/>")
    return buf.getvalue()


def _docx() -> bytes:
    return _zip("[Content_Types].xml", "word/document.xml")


SAMPLES = {
    "报价单.pdf": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    "logo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "现场.JPG": b"\xff\xd8\xff\xe0" + b"\x00" * 32,
    "技术方案.docx": _docx(),
    "说明.txt": "需求说明：年产 30 万套转向节，需 MES 与质量追溯。\n".encode(),
    "gbk.txt": "国标编码的说明文字".encode("gb18030"),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_allowed_types_pass_and_are_hashed(name):
    content = SAMPLES[name]
    checked = validate_document(SimpleUploadedFile(name, content))
    assert checked.size == len(content)
    assert checked.sha256 == "sha256:" + hashlib.sha256(content).hexdigest()


def test_real_spreadsheets_and_csv_from_the_shared_data_pass(shared_data: Path):
    for path in (shared_data / "io" / "nbs-china" / "2020.xlsx",
                 shared_data / "report" / "table3_china_ps_inputs_in_manufacturing.csv"):
        with path.open("rb") as fh:
            checked = validate_document(fh, name=path.name)
            assert fh.tell() == 0  # rewound for the caller to save
        assert checked.sha256 == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        assert checked.content_type in {"text/csv",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@pytest.mark.parametrize("name,content,code", [
    ("setup.exe", b"MZ\x90\x00", "file_type"),
    ("报价单.pdf", b"MZ\x90\x00 this is a renamed executable", "file_content"),
    ("logo.png", b"%PDF-1.4", "file_content"),
    ("方案.docx", b"%PDF-1.4 not a zip", "file_content"),
    ("方案.docx", _zip("payload.exe"), "file_content"),       # a zip, but not a Word document
    ("报表.xlsx", _zip("[Content_Types].xml", "word/document.xml"), "file_content"),
    ("报表.xlsx", b"PK\x03\x04 truncated", "file_content"),
    ("data.csv", b"a,b\n\x00\x01\x02binary", "file_content"),
    ("noextension", b"hello", "file_type"),
    ("empty.pdf", b"", "empty"),
])
def test_wrong_type_or_content_is_refused_with_a_clear_message(name, content, code):
    with pytest.raises(ValidationError) as exc:
        validate_document(SimpleUploadedFile(name, content))
    assert exc.value.code == code
    assert name in str(exc.value) or code == "file_type"


def test_oversized_files_are_refused_even_when_the_size_attribute_lies(settings):
    settings.RONGHE_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError, match="过大") as exc:
        validate_document(SimpleUploadedFile("big.txt", b"x" * 1001))
    assert exc.value.code == "file_size"
    stream = io.BytesIO(b"y" * 5000)  # a plain stream has no .size: the bytes are counted
    with pytest.raises(ValidationError, match="过大"):
        validate_document(stream, name="big.csv")
    assert validate_document(SimpleUploadedFile("ok.txt", b"x" * 1000)).size == 1000


def test_the_field_validator_form_runs_the_same_checks():
    validator = DocumentValidator()
    validator(SimpleUploadedFile("a.pdf", SAMPLES["报价单.pdf"]))
    with pytest.raises(ValidationError):
        validator(SimpleUploadedFile("a.pdf", b"GIF89a"))
    assert validator == DocumentValidator()
