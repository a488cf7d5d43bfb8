"""Settings read from the environment: the web's portal allow-list is validated once, at load."""
import pytest
from pydantic import ValidationError

from assistant.config import Settings


def test_portal_origins_come_as_one_comma_or_space_separated_variable(monkeypatch):
    monkeypatch.setenv("POLICY_WIDGET_ORIGINS", "https://www.ls.gov.cn, https://*.pds.gov.cn http://localhost:8080")
    assert Settings().widget_origins == ("https://www.ls.gov.cn", "https://*.pds.gov.cn", "http://localhost:8080")


@pytest.mark.parametrize("variable", ["POLICY_WIDGET_ORIGINS", "POLICY_CORS_ORIGINS"])
@pytest.mark.parametrize("origin", ["javascript:alert(1)", "https://a.gov.cn/path", "'none'", "https://a.gov.cn; script-src *", "*"])
def test_anything_but_a_bare_origin_is_refused(monkeypatch, variable, origin):
    monkeypatch.setenv(variable, origin)
    with pytest.raises(ValidationError):
        Settings()


def test_by_default_only_the_server_itself_may_frame_the_widget_or_call_the_api_and_wechat_is_off():
    settings = Settings(_env_file=None)
    assert settings.widget_origins == () and settings.cors_origins == () and settings.wechat_token is None


@pytest.mark.parametrize("variables", [{"POLICY_WECHAT_AES_KEY": "k" * 43}, {"POLICY_WECHAT_APP_ID": "wx0123456789abcdef"},
                                       {"POLICY_WECHAT_AES_KEY": "too-short", "POLICY_WECHAT_APP_ID": "wx0123456789abcdef"}])
def test_wechat_safe_mode_needs_a_43_character_key_and_the_app_id(monkeypatch, variables):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
