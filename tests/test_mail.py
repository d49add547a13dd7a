from django.core import mail

from core.mail import MessageFileBackend


def test_quick_start_mail_backend_writes_one_file_a_message(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    messages = [
        mail.EmailMessage("Första ärendet", "Hej Åsa", "helpdesk@example.org", ["asa@example.org"]),
        mail.EmailMessage("Second", "Body two", "helpdesk@example.org", ["b@example.org"]),
    ]
    assert MessageFileBackend().send_messages(messages) == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    contents = "".join(path.read_text() for path in files)
    assert "asa@example.org" in contents
    assert "b@example.org" in contents


def test_quick_start_sends_mail_to_files_when_no_mail_server_is_configured():
    from helpdesk import settings as project_settings

    if not project_settings.EMAIL_HOST:
        assert project_settings.EMAIL_BACKEND == "core.mail.MessageFileBackend"
