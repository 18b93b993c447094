"""Small pure text helpers. No Django import."""


def mask_phone(phone: str) -> str:
    """138******** for a mobile number: the carrier prefix only.

    The last 4 digits are what a resident types to follow their request at /track/, so a
    masked number shows none of them (the familiar 138****1234 would hand them to every member
    of staff). Other numbers keep at most their first four characters (an area code).
    """
    phone = (phone or "").strip()
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "*" * 8
    keep = min(4, max(len(phone) - 4, 0))
    return phone[:keep] + "*" * (len(phone) - keep)
