"""Small pure text helpers. No Django import."""


def mask_phone(phone: str) -> str:
    """138****1234 for a mobile number; the middle of anything else."""
    phone = (phone or "").strip()
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) > 4:
        keep = max(2, len(phone) // 4)
        return phone[:keep] + "*" * (len(phone) - 2 * keep) + phone[-keep:]
    return "*" * len(phone)
