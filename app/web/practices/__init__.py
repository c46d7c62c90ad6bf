"""Every ``/practices`` page: the list, a practice, its forms, history, translations and feed."""
