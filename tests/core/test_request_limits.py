"""An oversize request is refused before its body is read, with a Russian page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import ClientHandler
from django_tenants.utils import tenant_context

from tests.conftest import host_client
from tests.participants.conftest import make_person

BOUNDARY = "cmn-test-boundary"
MB = 1024 * 1024


class CountingBody:
    """A multipart body produced as it is read: a CSRF field, then a file of `size` bytes."""

    def __init__(self, file_name: str, size: int) -> None:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\npersonal_data\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="scan"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.parts = [head, size, tail]
        self.length = len(head) + size + len(tail)
        self.read_bytes = 0
        self._pending = b""
        self._file_left = size

    def read(self, size: int = -1) -> bytes:
        size = self.length if size is None or size < 0 else size
        out = b""
        while len(out) < size:
            if self._pending:
                take, self._pending = (
                    self._pending[: size - len(out)],
                    self._pending[size - len(out) :],
                )
                out += take
            elif self.parts:
                part = self.parts.pop(0)
                if isinstance(part, int):
                    self._pending = b"0" * min(part, MB)
                    if part > MB:
                        self.parts.insert(0, part - MB)
                else:
                    self._pending = part
            else:
                break
        self.read_bytes += len(out)
        return out

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("multipart bodies are read in chunks, not lines")


def _post(host: str, path: str, body: CountingBody, cookie: str):  # type: ignore[no-untyped-def]
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": host, "SERVER_PORT": "80", "HTTP_HOST": host, "wsgi.url_scheme": "http",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length), "wsgi.input": body, "HTTP_COOKIE": cookie,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }  # fmt: skip
    return ClientHandler(enforce_csrf_checks=False)(environ)


def test_an_oversize_body_is_refused_at_the_file_header_before_it_is_read(world):
    with tenant_context(world.alpha):
        person = make_person()
    client = host_client("alpha.localhost", world.alice)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    body = CountingBody("огромный-скан.pdf", 30 * MB)

    response = _post("alpha.localhost", f"/participants/{person.pk}/consents/", body, cookie)

    assert response.status_code == 413
    page = response.content.decode()
    assert (
        "Файл «огромный-скан.pdf» не загружен: за один раз можно отправить не больше 25 МБ" in page
    )
    assert '<html lang="ru"' in page
    # The parser stopped in its first chunk (64 KB): the 30 MB were never read, nor stored.
    assert body.read_bytes <= 64 * 1024, body.read_bytes
    with tenant_context(world.alpha):
        assert person.consents.count() == 0


def test_the_api_gets_the_refusal_as_json(world):
    client = host_client("alpha.localhost", world.alice)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    body = CountingBody("акт.pdf", 26 * MB)
    response = _post("alpha.localhost", "/api/v1/roadmap-items/1/status/", body, cookie)
    assert response.status_code == 413
    assert "«акт.pdf» не загружен" in json.loads(response.content)["detail"]
    assert body.read_bytes <= 64 * 1024


def test_a_file_over_its_fields_limit_is_refused_on_its_size_in_russian(world):
    with tenant_context(world.alpha):
        person = make_person()
    client = host_client("alpha.localhost", world.alice)
    big = SimpleUploadedFile("скан.pdf", b"%PDF-1.4\n" + b"0" * (12 * MB))
    response = client.post(
        f"/participants/{person.pk}/consents/",
        {"kind": "personal_data", "signed_on": "2025-09-01", "form_version": "2025-1",
         "representative_name": "Сидорова Ольга", "representative_relation": "mother", "scan": big},
        follow=True,
    )  # fmt: skip
    assert "Файл «скан.pdf» — 12 МБ, а можно загрузить не больше 10 МБ" in response.content.decode()
    with tenant_context(world.alpha):
        assert person.consents.count() == 0


@pytest.mark.parametrize("path", ["/roadmap/import/", "/participants/import/"])
def test_too_much_form_text_gets_the_russian_413_page(world, path):
    client = host_client("alpha.localhost", world.alice)
    response = client.post(path, {"text": "№\tМероприятие\n" * 200_000})
    assert response.status_code == 413
    assert "Отправленные данные больше 2 МБ" in response.content.decode()
