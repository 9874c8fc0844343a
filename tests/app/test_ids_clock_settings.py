import uuid
from datetime import datetime, timezone

import pytest

from app.clock import to_china
from app.ids import is_uuid, new_id
from app.settings import Settings, SettingsError, load_settings, require_secret


def test_ids_are_uuid7_and_sort_in_the_order_they_were_made():
    ids = [new_id() for _ in range(2000)]
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert is_uuid(ids[0]) and not is_uuid("x") and not is_uuid(ids[0].upper())


def test_times_show_in_china_time():
    assert to_china(datetime(2026, 5, 14, 16, 30, tzinfo=timezone.utc)).strftime("%d %H:%M") == "15 00:30"
    assert to_china(datetime(2026, 5, 14, 16, 30)).hour == 0  # naive values are UTC


def test_settings_come_from_the_env_file_and_the_environment_wins(tmp_path):
    env = tmp_path / ".env"
    env.write_text("LIANLUO_LANGUAGE=en\nLIANLUO_DATA_DIR=/srv/lianluo\nLIANLUO_WATERMARK_PHOTOS=off\n")
    settings = load_settings(env, environ={"LIANLUO_DATA_DIR": "/data"})
    assert settings.language == "en"
    assert str(settings.data_dir) == "/data"
    assert settings.watermark_photos is False


@pytest.mark.parametrize("key,value", [
    ("LIANLUO_LANGUAGE", "fr"), ("LIANLUO_LOG_LEVEL", "LOUD"), ("LIANLUO_SERVER_URL", "ftp://x"),
    ("LIANLUO_WATERMARK_PHOTOS", "maybe"), ("LIANLUO_TOKEN_DAYS", "soon"), ("LIANLUO_TOKEN_DAYS", "0"),
])
def test_a_bad_setting_fails_at_start_naming_its_key(key, value):
    with pytest.raises(SettingsError) as error:
        load_settings(None, environ={key: value})
    assert key in str(error.value)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().language = "en"  # type: ignore[misc]


@pytest.mark.parametrize("secret", ["", "changethis", "short"])
def test_the_server_refuses_a_placeholder_secret(secret):
    with pytest.raises(SettingsError, match="LIANLUO_SECRET_KEY"):
        require_secret(Settings(secret_key=secret))
