"""Messages of signing in and out (account lockout, sessions ended)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "web.login.locked": {
        "en": "Too many failed sign-ins: this account is locked for {seconds} s. Try again "
        "later or ask an administrator to reset the password.",
        "zh-CN": "登录失败次数过多，该账号已锁定 {seconds} 秒。请稍后再试，或请管理员重置密码。",
    },
    "web.login.busy": {
        "en": "Too many sign-in attempts; wait {seconds} s and try again.",
        "zh-CN": "登录尝试过于频繁，请等待 {seconds} 秒后再试。",
    },
}
