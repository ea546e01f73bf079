// The lab routers' API-SSL identity: a self-signed certificate for 127.0.0.1 and localhost, valid
// until 2126. Lab only: real routers have their own, verified against the system CAs or caFile.
// Kept in code (not .pem files) so the compiled daemon in dist/ carries it too.

export const LAB_ROUTER_CERT = `-----BEGIN CERTIFICATE-----
MIIBqjCCAVGgAwIBAgIUZun6Nbwdxh5dLBBRArXTJ25pPoEwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRc2ltcHVsLWxhYi1yb3V0ZXIwIBcNMjYxMTIzMDk0MDA1WhgP
MjEyNjEwMzAwOTQwMDVaMBwxGjAYBgNVBAMMEXNpbXB1bC1sYWItcm91dGVyMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEkRoLHShmDW0Hxd93FvRcy0P1sNQQezUx
7K8zNeCwO6ynjLnNkCmXfNMozOw+rx4+fEQmNKhI9j1tpUIDjua7OKNvMG0wHQYD
VR0OBBYEFJQMgeDFzgktN/kQEPlbjcUgbrUSMB8GA1UdIwQYMBaAFJQMgeDFzgkt
N/kQEPlbjcUgbrUSMA8GA1UdEwEB/wQFMAMBAf8wGgYDVR0RBBMwEYcEfwAAAYIJ
bG9jYWxob3N0MAoGCCqGSM49BAMCA0cAMEQCIGxeo8zhlOZNGADz9GY0gVknkmMK
x1k1lTSm0Vz7btCLAiAuH9ezjNjHnz9L3ah6PTKIlWj7crvBK8cRYpA7nifJcQ==
-----END CERTIFICATE-----
`;

export const LAB_ROUTER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqNWJocPcRWescSFw
TyVCW6jazKa/jDmUfTjs6vGjmK2hRANCAASRGgsdKGYNbQfF33cW9FzLQ/Ww1BB7
NTHsrzM14LA7rKeMuc2QKZd80yjM7D6vHj58RCY0qEj2PW2lQgOO5rs4
-----END PRIVATE KEY-----
`;
