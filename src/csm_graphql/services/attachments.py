"""File metadata on a record (the bytes live elsewhere): one validation and one insert for every
record that takes files (cases, requests, work orders), so that a file means the same on each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import RowMapping, insert

from csm_graphql import tables as t
from csm_graphql.domain.enums import RecordType
from csm_graphql.services.errors import bad_input
from csm_graphql.services.text import clean_text
from csm_graphql.services.unit_of_work import UnitOfWork

MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileDescription:
    """A file's checked name, content type and size."""

    name: str
    content_type: str
    size_bytes: int


def described_file(file_name: str, content_type: str, size_bytes: int) -> FileDescription:
    """The arguments every attach mutation takes, checked before anything is read."""
    # Required: clean_text refuses an empty value, so ``or ""`` only narrows the type.
    name = clean_text(file_name, "fileName", required=True, limit=255) or ""
    kind = clean_text(content_type, "contentType", required=True, limit=255) or ""
    if not 0 <= size_bytes <= MAX_ATTACHMENT_BYTES:
        raise bad_input(f"sizeBytes must be 0 to {MAX_ATTACHMENT_BYTES}.", ("sizeBytes",))
    return FileDescription(name, kind, size_bytes)


async def store_attachment(
    work: UnitOfWork, record_type: RecordType, record: RowMapping, file: FileDescription
) -> int:
    """Insert the file's row on ``record`` (its account is the record's), by the viewer."""
    attachment_id: int = await work.scalar(
        insert(t.attachments)
        .values(
            record_type=record_type.value,
            record_id=record["id"],
            account_id=record["account_id"],
            file_name=file.name,
            content_type=file.content_type,
            size_bytes=file.size_bytes,
            uploaded_by_user_id=work.viewer.user_id,
            uploaded_by_contact_id=work.viewer.contact_id,
        )
        .returning(t.attachments.c.id)
    )
    return attachment_id
