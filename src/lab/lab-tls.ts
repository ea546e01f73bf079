// Simpul's own HTTPS identity in lab mode (the listener routers' adlists and agents fetch from):
// a self-signed certificate for 127.0.0.1, ::1 and localhost, valid until 2126. Lab only: a real
// deployment sets http.tls.certFile/keyFile. Kept in code so the compiled daemon carries it too.

export const LAB_SIMPUL_CERT = `-----BEGIN CERTIFICATE-----
MIIBsTCCAVagAwIBAgIUN4UyZdvH+okx+xc+tGd91ymDc2QwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKc2ltcHVsLWxhYjAgFw0yNjExMzAyMzIxMThaGA8yMTI2MTEw
NjIzMjExOFowFTETMBEGA1UEAwwKc2ltcHVsLWxhYjBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABC6Z8iDiukrgsFOXG7H/nGmcgF9XEqMV5pYdn0obiLGUzLnbJujY
Zq5hR7RcmfzM1FYS3xyhTPfOLVSSN5fzjmSjgYEwfzAdBgNVHQ4EFgQUCJjzRgkn
sxnzPyl8TGb7rnjFp78wHwYDVR0jBBgwFoAUCJjzRgknsxnzPyl8TGb7rnjFp78w
LAYDVR0RBCUwI4cEfwAAAYcQAAAAAAAAAAAAAAAAAAAAAYIJbG9jYWxob3N0MA8G
A1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAJNiXxRXsEsEMGGIrjTd
4zNQqdOZ4aOrymbNTRbeXXdOAiEA9vThmSo86NwNmSWnWinm+Gaq3R+w1u3dL9jX
Sgi3RKc=
-----END CERTIFICATE-----
`;

export const LAB_SIMPUL_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAQj0sIx2ZePLEOzG
96xpq6KkrcocZXkOlSP7Y5QbdomhRANCAAQumfIg4rpK4LBTlxux/5xpnIBfVxKj
FeaWHZ9KG4ixlMy52ybo2GauYUe0XJn8zNRWEt8coUz3zi1UkjeX845k
-----END PRIVATE KEY-----
`;
