import { profileZone } from '@healthsync/partner-kit';

// Units follow Accept-Language (en_US: lb and miles, en_GB: stone); without the header Fitbit reads
// and writes metric. The kit's client sends `Accept: application/json` and never Accept-Language.

/** The user's current UTC offset in minutes (Fitbit times carry none). */
export const profileOffset = profileZone('/1/user/-/profile.json', 'user.offsetFromUTCMillis', 'ms');
