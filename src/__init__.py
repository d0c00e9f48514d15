"""dossier: news in, reviewed organisation profiles out."""
